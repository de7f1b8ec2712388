import { z } from 'zod'
import { payInvoice } from '../billing.ts'
import { scheduleRealtime } from '../billing-clock.ts'
import { wire } from '../codec.ts'
import { fail, responses } from '../errors.ts'
import { assertInvoicePayable } from '../models.ts'
import { expandShape, listShape, params } from '../params.ts'
import { find, list, matchesGiven, respond, route, source, timeFor, versionOf } from './shared.ts'
import { ownedBy } from './subscriptions.ts'

export const invoices = [
  // Removed in 2025-03-31.basil (replaced by POST /v1/invoices/create_preview, which standin does not simulate).
  route({
    operation: 'invoices.upcoming',
    method: 'GET',
    path: '/v1/invoices/upcoming',
    handler: (req) => responses.notFound(req),
  }),
  route({
    operation: 'invoices.retrieve',
    method: 'GET',
    path: '/v1/invoices/:invoice',
    input: params('GET', '/v1/invoices/{invoice}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.invoices, req.params.invoice!, 'invoice', 'invoice'), input.expand),
  }),
  route({
    operation: 'invoices.list',
    method: 'GET',
    path: '/v1/invoices',
    input: params('GET', '/v1/invoices', {
      ...listShape,
      customer: z.string().optional(),
      subscription: z.string().optional(),
      status: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.invoices, input, '/v1/invoices', (i) =>
        matchesGiven(input, i, ['customer', 'subscription', 'status']),
      ),
  }),
  route({
    operation: 'invoices.pay',
    method: 'POST',
    path: '/v1/invoices/:invoice/pay',
    input: params('POST', '/v1/invoices/{invoice}/pay', {
      ...expandShape,
      payment_method: z.string().optional(),
      off_session: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const invoice = find(ctx.state.invoices, req.params.invoice!, 'invoice', 'invoice')
      assertInvoicePayable(invoice)
      const src = source(req, ctx, timeFor(ctx, invoice.customer))
      const customer = ctx.state.customers.get(invoice.customer)!
      const pm = input.payment_method
        ? ownedBy(src, customer, input.payment_method, 'payment_method')
        : undefined
      const outcome = payInvoice(src, invoice, pm)
      scheduleRealtime(ctx)
      if (outcome.kind === 'declined') {
        const error = wire(outcome.error, versionOf(req), ctx.state)
        fail(402, { ...(error as { type: 'card_error'; message: string }) })
      }
      if (outcome.kind === 'no_payment_method')
        fail(400, {
          type: 'invalid_request_error',
          code: 'invoice_no_payment_method_types',
          message:
            'This invoice cannot be paid: the customer has no default payment method and none was given.',
          param: 'payment_method',
        })
      return respond(req, ctx, invoice, input.expand)
    },
  }),
  // invoice_payment (2025-03-31.basil and later) is not in the bundled spec: its parameters are checked here.
  route({
    operation: 'invoice_payments.list',
    method: 'GET',
    path: '/v1/invoice_payments',
    input: z.strictObject({
      invoice: z.string().optional(),
      limit: z.coerce.number().int().optional(),
      starting_after: z.string().optional(),
      ending_before: z.string().optional(),
      expand: z.array(z.string()).optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.invoicePayments, input, '/v1/invoice_payments', (p) =>
        matchesGiven(input, p, ['invoice']),
      ),
  }),
  route({
    operation: 'invoice_payments.retrieve',
    method: 'GET',
    path: '/v1/invoice_payments/:id',
    input: z.strictObject({ expand: z.array(z.string()).optional() }),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.invoicePayments, req.params.id!, 'invoice_payment', 'id'),
        input.expand,
      ),
  }),
]
