import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import { wire } from '../codec.ts'
import { applyConnectParams } from '../connect-fees.ts'
import { fail, invalidRequest } from '../errors.ts'
import type { PaymentIntent } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import {
  attachToIntent,
  type ConfirmOutcome,
  cancelIntent,
  captureIntent,
  confirmIntent,
  newPaymentIntent,
} from '../payments.ts'
import type { StripeContext } from '../state.ts'
import type { EventSource } from '../webhooks.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  orNull,
  previousOf,
  respond,
  route,
  source,
  timeFor,
  versionOf,
} from './shared.ts'

const str = z.union([z.string(), z.literal('')]).optional()
const confirmFields = {
  payment_method: z.string().optional(),
  return_url: z.string().optional(),
  off_session: z.union([z.boolean(), z.string()]).optional(),
  error_on_requires_action: z.boolean().optional(),
  receipt_email: str,
  setup_future_usage: str,
}

/** A decline answers 402 with the card error and the PaymentIntent embedded, as Stripe does. */
function outcomeResponse(
  req: PlainRequest,
  ctx: StripeContext,
  pi: PaymentIntent,
  outcome: ConfirmOutcome,
  expand?: string[],
) {
  if (outcome.kind === 'declined') {
    const error = wire(outcome.error, versionOf(req), ctx.state)
    fail(error.type === 'card_error' ? 402 : 400, {
      ...(error as { type: 'card_error'; message: string }),
      payment_intent: wire(pi, versionOf(req), ctx.state),
    })
  }
  return respond(req, ctx, pi, expand)
}

function confirm(
  src: EventSource,
  pi: PaymentIntent,
  input: {
    payment_method?: string | undefined
    return_url?: string | undefined
    off_session?: boolean | string | undefined
  },
) {
  if (input.return_url !== undefined && !URL.canParse(input.return_url))
    invalidRequest(`Not a valid URL`, 'return_url', 'url_invalid')
  const offSession =
    input.off_session === true || input.off_session === 'one_off' || input.off_session === 'recurring'
  return confirmIntent(src, pi, {
    offSession,
    paymentMethod: input.payment_method,
    ...(input.return_url ? { returnUrl: input.return_url } : {}),
  })
}

export const paymentIntents = [
  route({
    operation: 'payment_intents.create',
    method: 'POST',
    path: '/v1/payment_intents',
    input: params('POST', '/v1/payment_intents', {
      ...expandShape,
      ...metadataShape,
      ...confirmFields,
      amount: z.number(),
      currency: z.string(),
      customer: z.string().optional(),
      capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
      confirm: z.boolean().optional(),
      description: z.string().optional(),
      payment_method_types: z.array(z.string()).optional(),
      automatic_payment_methods: z.looseObject({ enabled: z.boolean() }).optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.customer) find(ctx.state.customers, input.customer, 'customer', 'customer')
      if (input.off_session !== undefined && !input.confirm)
        invalidRequest('You can only set `off_session` when `confirm` is true.', 'off_session')
      const src = source(req, ctx, timeFor(ctx, input.customer))
      const pi = newPaymentIntent(src, {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        customer: input.customer,
        capture_method: input.capture_method,
        description: input.description,
        metadata: input.metadata === '' ? {} : input.metadata,
        receipt_email: orNull(input.receipt_email, null),
        setup_future_usage: orNull(input.setup_future_usage, null),
        payment_method_types: input.payment_method_types,
      })
      applyConnectParams(ctx, pi, input)
      if (input.automatic_payment_methods)
        pi.automatic_payment_methods = { allow_redirects: 'always', ...input.automatic_payment_methods }
      if (input.payment_method) attachToIntent(src, pi, input.payment_method)
      if (!input.confirm) return respond(req, ctx, pi, input.expand)
      if (!pi.payment_method)
        invalidRequest(
          'You must provide a payment_method when confirming a PaymentIntent.',
          'payment_method',
          'parameter_missing',
        )
      // The PaymentMethod is attached above already; a token named again would make a second one.
      return outcomeResponse(
        req,
        ctx,
        pi,
        confirm(src, pi, { ...input, payment_method: undefined }),
        input.expand,
      )
    },
  }),
  route({
    operation: 'payment_intents.retrieve',
    method: 'GET',
    path: '/v1/payment_intents/:intent',
    input: params('GET', '/v1/payment_intents/{intent}', {
      ...expandShape,
      client_secret: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.paymentIntents, req.params.intent!, 'payment_intent', 'intent'),
        input.expand,
      ),
  }),
  route({
    operation: 'payment_intents.update',
    method: 'POST',
    path: '/v1/payment_intents/:intent',
    input: params('POST', '/v1/payment_intents/{intent}', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      currency: z.string().optional(),
      customer: z.string().optional(),
      description: str,
      payment_method: z.string().optional(),
      receipt_email: str,
    }),
    handler: (req, ctx, input) => {
      const pi = find(ctx.state.paymentIntents, req.params.intent!, 'payment_intent', 'intent')
      if (['succeeded', 'canceled', 'processing', 'requires_capture'].includes(pi.status))
        fail(400, {
          type: 'invalid_request_error',
          code: 'payment_intent_unexpected_state',
          message: `This PaymentIntent's amount could not be updated because it has a status of ${pi.status}. You may only update the amount of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`,
        })
      const before = structuredClone(pi)
      const src = source(req, ctx, timeFor(ctx, pi.customer))
      if (input.amount !== undefined) pi.amount = input.amount
      if (input.currency !== undefined) pi.currency = input.currency.toLowerCase()
      if (input.customer !== undefined)
        pi.customer = find(ctx.state.customers, input.customer, 'customer', 'customer').id
      if (input.description !== undefined) pi.description = orNull(input.description, null)
      if (input.receipt_email !== undefined) pi.receipt_email = orNull(input.receipt_email, null)
      pi.metadata = mergeMetadata(pi.metadata, input.metadata)
      if (input.payment_method) {
        attachToIntent(src, pi, input.payment_method)
        if (pi.status === 'requires_payment_method') pi.status = 'requires_confirmation'
      }
      const previous = previousOf(before, pi)
      if (Object.keys(previous).length > 0) emitEvent(src, 'payment_intent.updated', pi, previous)
      return respond(req, ctx, pi, input.expand)
    },
  }),
  route({
    operation: 'payment_intents.confirm',
    method: 'POST',
    path: '/v1/payment_intents/:intent/confirm',
    input: params('POST', '/v1/payment_intents/{intent}/confirm', { ...expandShape, ...confirmFields }),
    handler: (req, ctx, input) => {
      const pi = find(ctx.state.paymentIntents, req.params.intent!, 'payment_intent', 'intent')
      const src = source(req, ctx, timeFor(ctx, pi.customer))
      return outcomeResponse(req, ctx, pi, confirm(src, pi, input), input.expand)
    },
  }),
  route({
    operation: 'payment_intents.capture',
    method: 'POST',
    path: '/v1/payment_intents/:intent/capture',
    input: params('POST', '/v1/payment_intents/{intent}/capture', {
      ...expandShape,
      ...metadataShape,
      amount_to_capture: z.number().optional(),
    }),
    handler: (req, ctx, input) => {
      const pi = find(ctx.state.paymentIntents, req.params.intent!, 'payment_intent', 'intent')
      captureIntent(source(req, ctx, timeFor(ctx, pi.customer)), pi, {
        amountToCapture: input.amount_to_capture,
        metadata: input.metadata,
      })
      return respond(req, ctx, pi, input.expand)
    },
  }),
  route({
    operation: 'payment_intents.cancel',
    method: 'POST',
    path: '/v1/payment_intents/:intent/cancel',
    input: params('POST', '/v1/payment_intents/{intent}/cancel', {
      ...expandShape,
      cancellation_reason: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const pi = find(ctx.state.paymentIntents, req.params.intent!, 'payment_intent', 'intent')
      cancelIntent(source(req, ctx, timeFor(ctx, pi.customer)), pi, input.cancellation_reason)
      return respond(req, ctx, pi, input.expand)
    },
  }),
  route({
    operation: 'payment_intents.list',
    method: 'GET',
    path: '/v1/payment_intents',
    input: params('GET', '/v1/payment_intents', { ...listShape, customer: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.paymentIntents, input, '/v1/payment_intents', (pi) =>
        matchesGiven(input, pi, ['customer']),
      ),
  }),
]
