import { z } from 'zod'
import { invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { attach, createCardPaymentMethod, resolvePaymentMethod } from '../payments.ts'
import { patchNested } from '../snapshots.ts'
import { CARD_TOKENS } from '../test-cards.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, mergeMetadata, previousOf, respond, route, source, timeFor } from './shared.ts'

const card = z.looseObject({
  number: z.string().optional(),
  exp_month: z.number().optional(),
  exp_year: z.number().optional(),
  cvc: z.string().optional(),
  token: z.string().optional(),
})

export const paymentMethods = [
  route({
    operation: 'payment_methods.create',
    method: 'POST',
    path: '/v1/payment_methods',
    input: params('POST', '/v1/payment_methods', {
      ...expandShape,
      ...metadataShape,
      type: z.string().optional(),
      card: z.union([card, z.literal('')]).optional(),
      payment_method: z.string().optional(),
      customer: z.string().optional(),
      billing_details: z.record(z.string(), z.unknown()).optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      if (input.payment_method && !input.type) {
        // Cloning a customer's PaymentMethod (Connect) is outside standin's scope; a test token clones itself.
        return respond(req, ctx, resolvePaymentMethod(src, input.payment_method), input.expand)
      }
      if (input.type !== 'card')
        invalidRequest(
          input.type
            ? `Invalid type: standin simulates card PaymentMethods only, not ${input.type}.`
            : 'Missing required param: type.',
          'type',
          input.type ? undefined : 'parameter_missing',
        )
      const c = input.card === '' ? undefined : input.card
      if (!c?.number && !c?.token)
        invalidRequest('Missing required param: card[number].', 'card[number]', 'parameter_missing')
      const number = c?.token ? tokenCard(c.token) : c!.number!
      const pm = createCardPaymentMethod(
        src,
        { number, exp_month: c?.exp_month, exp_year: c?.exp_year, cvc: c?.cvc },
        { billing_details: input.billing_details, metadata: input.metadata === '' ? {} : input.metadata },
      )
      return respond(req, ctx, pm, input.expand)
    },
  }),
  route({
    operation: 'payment_methods.retrieve',
    method: 'GET',
    path: '/v1/payment_methods/:payment_method',
    input: params('GET', '/v1/payment_methods/{payment_method}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.paymentMethods, req.params.payment_method!, 'PaymentMethod', 'payment_method'),
        input.expand,
      ),
  }),
  route({
    operation: 'payment_methods.update',
    method: 'POST',
    path: '/v1/payment_methods/:payment_method',
    input: params('POST', '/v1/payment_methods/{payment_method}', {
      ...expandShape,
      ...metadataShape,
      billing_details: z.record(z.string(), z.unknown()).optional(),
    }),
    handler: (req, ctx, input) => {
      const pm = find(ctx.state.paymentMethods, req.params.payment_method!, 'PaymentMethod', 'payment_method')
      const before = structuredClone(pm) as Record<string, unknown>
      pm.metadata = mergeMetadata(pm.metadata, input.metadata)
      if (input.billing_details)
        pm.billing_details = { ...(pm.billing_details as object), ...input.billing_details }
      emitEvent(source(req, ctx), 'payment_method.updated', pm, previousOf(before, pm))
      return respond(req, ctx, pm, input.expand)
    },
  }),
  route({
    operation: 'payment_methods.list',
    method: 'GET',
    path: '/v1/payment_methods',
    input: params('GET', '/v1/payment_methods', {
      ...listShape,
      customer: z.string().optional(),
      type: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.paymentMethods, input, '/v1/payment_methods', (pm) =>
        input.customer === undefined ? pm.customer !== null : pm.customer === input.customer,
      ),
  }),
  route({
    operation: 'customers.list_payment_methods',
    method: 'GET',
    path: '/v1/customers/:customer/payment_methods',
    input: params('GET', '/v1/customers/{customer}/payment_methods', {
      ...listShape,
      type: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, req.params.customer!, 'customer', 'customer')
      return list(
        req,
        ctx,
        ctx.state.paymentMethods,
        input,
        `/v1/customers/${customer.id}/payment_methods`,
        (pm) => pm.customer === customer.id,
      )
    },
  }),
  route({
    operation: 'payment_methods.attach',
    method: 'POST',
    path: '/v1/payment_methods/:payment_method/attach',
    input: params('POST', '/v1/payment_methods/{payment_method}/attach', {
      ...expandShape,
      customer: z.string(),
    }),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, input.customer, 'customer', 'customer')
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const pm = resolvePaymentMethod(src, req.params.payment_method!)
      attach(src, pm, customer)
      return respond(req, ctx, pm, input.expand)
    },
  }),
  route({
    operation: 'payment_methods.detach',
    method: 'POST',
    path: '/v1/payment_methods/:payment_method/detach',
    input: params('POST', '/v1/payment_methods/{payment_method}/detach', expandShape),
    handler: (req, ctx, input) => {
      const pm = find(ctx.state.paymentMethods, req.params.payment_method!, 'PaymentMethod', 'payment_method')
      if (!pm.customer)
        invalidRequest(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
          undefined,
          'payment_method_unexpected_state',
        )
      const customer = ctx.state.customers.get(pm.customer!)
      if (customer?.invoice_settings.default_payment_method === pm.id)
        patchNested(customer, 'invoice_settings', { default_payment_method: null })
      pm.customer = null
      emitEvent(source(req, ctx), 'payment_method.detached', pm)
      return respond(req, ctx, pm, input.expand)
    },
  }),
]

function tokenCard(token: string): string {
  return CARD_TOKENS[token] ?? invalidRequest(`No such token: '${token}'`, 'card[token]', 'resource_missing')
}
