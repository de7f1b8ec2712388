import { z } from 'zod'
import { scheduleRealtime } from '../billing-clock.ts'
import { wire } from '../codec.ts'
import { invalidRequest } from '../errors.ts'
import { assertEditable } from '../invoice-rules.ts'
import { inheritedDiscounts, recompute } from '../invoice-totals.ts'
import { finalizeOneOff, markUncollectible, sendInvoice, voidInvoice } from '../invoice-transitions.ts'
import { newOneOffInvoice } from '../invoicing.ts'
import type { Invoice } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import type { StripeContext } from '../state.ts'
import { type EventSource, emitEvent } from '../webhooks.ts'
import { withDiscounts } from './discounts.ts'
import { discountIds, discountsShape, taxRatesFor } from './invoice-items.ts'
import {
  find,
  mergeMetadata,
  previousOf,
  respond,
  route,
  source,
  timeFor,
  transitionRoute,
  versionOf,
} from './shared.ts'
import { ownedBy } from './subscriptions.ts'

/**
 * One-off invoices: create a draft, change it, delete it, finalize, send,
 * void, mark uncollectible, and read its lines. Paying goes through
 * invoices.ts (`pay`), shared with subscription invoices.
 */
const editable = {
  ...expandShape,
  ...metadataShape,
  auto_advance: z.boolean().optional(),
  collection_method: z.enum(['charge_automatically', 'send_invoice']).optional(),
  days_until_due: z.number().optional(),
  due_date: z.number().optional(),
  description: z.union([z.string(), z.literal('')]).optional(),
  footer: z.union([z.string(), z.literal('')]).optional(),
  default_payment_method: z.union([z.string(), z.literal('')]).optional(),
  default_tax_rates: z.union([z.array(z.string()), z.literal('')]).optional(),
  discounts: discountsShape,
}

const findInvoice = (ctx: StripeContext, id: string): Invoice =>
  find(ctx.state.invoices, id, 'invoice', 'invoice')

/** `POST /v1/invoices/:invoice/<action>`; a transition to a final status ends auto_advance. */
const transition = (
  operation: string,
  action: string,
  move: (src: EventSource, invoice: Invoice) => void,
  options: { endsAutoAdvance?: boolean } = {},
) =>
  transitionRoute({
    operation,
    base: '/v1/invoices',
    param: 'invoice',
    action,
    noun: 'invoice',
    collection: (ctx) => ctx.state.invoices,
    move: (src, invoice) => {
      move(src, invoice)
      if (options.endsAutoAdvance) invoice.auto_advance = false
    },
  })

export const invoiceLifecycle = [
  route({
    operation: 'invoices.create',
    method: 'POST',
    path: '/v1/invoices',
    input: withDiscounts(
      params('POST', '/v1/invoices', {
        ...editable,
        customer: z.string().optional(),
        currency: z.string().optional(),
        pending_invoice_items_behavior: z.enum(['exclude', 'include', 'include_and_require']).optional(),
        subscription: z.string().optional(),
      }),
    ),
    handler: (req, ctx, input) => {
      if (!input.customer)
        invalidRequest('Missing required param: customer.', 'customer', 'parameter_missing')
      if (input.subscription)
        invalidRequest(
          'standin does not create invoices for a subscription on request; they come from its billing cycle.',
          'subscription',
        )
      const customer = find(ctx.state.customers, input.customer!, 'customer', 'customer')
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const dpm = input.default_payment_method
        ? ownedBy(src, customer, input.default_payment_method, 'default_payment_method')
        : null
      const invoice = newOneOffInvoice(src, customer, {
        currency: input.currency,
        collection_method: input.collection_method,
        days_until_due: input.days_until_due,
        due_date: input.due_date,
        auto_advance: input.auto_advance,
        description: input.description || undefined,
        footer: input.footer || undefined,
        metadata: input.metadata === '' ? {} : input.metadata,
        default_payment_method: dpm,
        default_tax_rates: taxRatesFor(ctx, input.default_tax_rates, 'default_tax_rates'),
        pending_invoice_items_behavior: input.pending_invoice_items_behavior,
      })
      // Without `discounts` an invoice inherits its customer's discount; '' opts out.
      invoice.discounts =
        input.discounts === undefined
          ? inheritedDiscounts(ctx, customer)
          : discountIds(src, input.discounts, { customer: customer.id, invoice: invoice.id })
      recompute(ctx, invoice)
      emitEvent(src, 'invoice.created', invoice)
      if (invoice.auto_advance && !customer.test_clock) scheduleRealtime(ctx)
      return respond(req, ctx, invoice, input.expand)
    },
  }),
  route({
    operation: 'invoices.update',
    method: 'POST',
    path: '/v1/invoices/:invoice',
    input: withDiscounts(params('POST', '/v1/invoices/{invoice}', editable)),
    handler: (req, ctx, input) => {
      const invoice = findInvoice(ctx, req.params.invoice!)
      assertEditable(
        invoice,
        Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined),
      )
      const customer = ctx.state.customers.get(invoice.customer)!
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const before = structuredClone(invoice)
      if (input.collection_method !== undefined) invoice.collection_method = input.collection_method
      if (input.days_until_due !== undefined) invoice._daysUntilDue = input.days_until_due
      if (input.due_date !== undefined) invoice.due_date = input.due_date
      if (input.description !== undefined) invoice.description = input.description || null
      if (input.footer !== undefined) invoice.footer = input.footer || null
      if (input.auto_advance !== undefined) {
        invoice.auto_advance = input.auto_advance
        if (invoice.status === 'draft') invoice._finalizeAt = input.auto_advance ? src.at + 3600 : null
      }
      if (input.default_payment_method !== undefined)
        invoice.default_payment_method = input.default_payment_method
          ? ownedBy(src, customer, input.default_payment_method, 'default_payment_method')
          : null
      const rates = taxRatesFor(ctx, input.default_tax_rates, 'default_tax_rates')
      if (rates) invoice.default_tax_rates = rates
      if (input.discounts !== undefined)
        invoice.discounts = discountIds(src, input.discounts, { customer: customer.id, invoice: invoice.id })
      invoice.metadata = mergeMetadata(invoice.metadata as Record<string, string>, input.metadata)
      if (invoice.status === 'draft') recompute(ctx, invoice)
      const previous = previousOf(before as Record<string, unknown>, invoice as Record<string, unknown>)
      if (Object.keys(previous).length > 0) emitEvent(src, 'invoice.updated', invoice, previous)
      if (invoice.auto_advance && !customer.test_clock) scheduleRealtime(ctx)
      return respond(req, ctx, invoice, input.expand)
    },
  }),
  route({
    operation: 'invoices.delete',
    method: 'DELETE',
    path: '/v1/invoices/:invoice',
    handler: (req, ctx) => {
      const invoice = findInvoice(ctx, req.params.invoice!)
      if (invoice.status !== 'draft') invalidRequest('You can only delete draft invoices.')
      if (invoice.subscription) invalidRequest("You can't delete invoices created by subscriptions.")
      ctx.state.invoices.delete(invoice.id)
      emitEvent(source(req, ctx, timeFor(ctx, invoice.customer)), 'invoice.deleted', invoice)
      return { status: 200, body: { id: invoice.id, object: 'invoice', deleted: true } }
    },
  }),
  route({
    operation: 'invoices.finalize_invoice',
    method: 'POST',
    path: '/v1/invoices/:invoice/finalize',
    input: params('POST', '/v1/invoices/{invoice}/finalize', {
      ...expandShape,
      auto_advance: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const invoice = findInvoice(ctx, req.params.invoice!)
      const src = source(req, ctx, timeFor(ctx, invoice.customer))
      if (input.auto_advance !== undefined) invoice.auto_advance = input.auto_advance
      finalizeOneOff(src, invoice)
      if (invoice.status !== 'open') invoice.auto_advance = false
      return respond(req, ctx, invoice, input.expand)
    },
  }),
  transition('invoices.send_invoice', 'send', sendInvoice),
  transition('invoices.mark_uncollectible', 'mark_uncollectible', markUncollectible, {
    endsAutoAdvance: true,
  }),
  transition('invoices.void_invoice', 'void', voidInvoice, { endsAutoAdvance: true }),
  route({
    operation: 'invoices.lines',
    method: 'GET',
    path: '/v1/invoices/:invoice/lines',
    input: params('GET', '/v1/invoices/{invoice}/lines', listShape),
    handler: (req, ctx, input) => {
      const invoice = findInvoice(ctx, req.params.invoice!)
      const data = (invoice.lines as { data: { id: string }[] }).data
      const limit = input.limit ?? 10
      let start = 0
      if (input.starting_after) start = data.findIndex((l) => l.id === input.starting_after) + 1
      const end = input.ending_before ? data.findIndex((l) => l.id === input.ending_before) : data.length
      const from = input.ending_before ? Math.max(0, end - limit) : start
      const page = data.slice(from, Math.min(end, from + limit))
      const body = wire(
        {
          object: 'list',
          data: page,
          has_more: from + page.length < end || (input.ending_before ? from > 0 : false),
          url: `/v1/invoices/${invoice.id}/lines`,
        },
        versionOf(req),
        ctx.state,
        input.expand,
      )
      return { status: 200, body }
    },
  }),
]
