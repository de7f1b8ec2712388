import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import { wire } from '../codec.ts'
import { fail, invalidRequest } from '../errors.ts'
import type { SetupIntent } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { resolvePaymentMethod } from '../payments.ts'
import { confirmSetup, type SetupOutcome } from '../setup-intents.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  respond,
  route,
  source,
  timeFor,
  versionOf,
} from './shared.ts'

function answer(
  req: PlainRequest,
  ctx: StripeContext,
  si: SetupIntent,
  outcome: SetupOutcome,
  expand?: string[],
) {
  if (outcome.kind === 'failed') {
    const error = wire(outcome.error, versionOf(req), ctx.state) as { type: 'card_error'; message: string }
    fail(error.type === 'card_error' ? 402 : 400, {
      ...error,
      setup_intent: wire(si, versionOf(req), ctx.state),
    })
  }
  return respond(req, ctx, si, expand)
}

function unexpected(si: SetupIntent, action: string, allowed: string[]): never {
  return fail(400, {
    type: 'invalid_request_error',
    code: 'setup_intent_unexpected_state',
    message: `You cannot ${action} this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be ${action === 'cancel' ? 'canceled' : 'confirmed'}: ${allowed.join(', ')}.`,
  })
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action']
const CANCELABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action']

export const setupIntents = [
  route({
    operation: 'setup_intents.create',
    method: 'POST',
    path: '/v1/setup_intents',
    input: params('POST', '/v1/setup_intents', {
      ...expandShape,
      ...metadataShape,
      customer: z.string().optional(),
      payment_method: z.string().optional(),
      confirm: z.boolean().optional(),
      return_url: z.string().optional(),
      usage: z.enum(['on_session', 'off_session']).optional(),
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.customer) find(ctx.state.customers, input.customer, 'customer', 'customer')
      if (input.return_url !== undefined && !URL.canParse(input.return_url))
        invalidRequest('Not a valid URL', 'return_url', 'url_invalid')
      const src = source(req, ctx, timeFor(ctx, input.customer))
      const id = ctx.ids.mint('seti_', 24)
      const pm = input.payment_method ? resolvePaymentMethod(src, input.payment_method) : undefined
      const si = {
        ...blank('setup_intent'),
        id,
        object: 'setup_intent',
        application: null,
        automatic_payment_methods: null,
        cancellation_reason: null,
        client_secret: `${id}_secret_${ctx.ids.mint('', 25)}`,
        created: src.at,
        customer: input.customer ?? null,
        description: input.description ?? null,
        flow_directions: null,
        last_setup_error: null,
        latest_attempt: null,
        livemode: false,
        mandate: null,
        metadata: input.metadata === '' ? {} : (input.metadata ?? {}),
        next_action: null,
        on_behalf_of: null,
        payment_method: pm?.id ?? null,
        payment_method_options: {
          card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' },
        },
        payment_method_types: ['card'],
        single_use_mandate: null,
        status: pm ? 'requires_confirmation' : 'requires_payment_method',
        usage: input.usage ?? 'off_session',
      } as unknown as SetupIntent
      ctx.state.setupIntents.insert(si)
      emitEvent(src, 'setup_intent.created', si)
      if (!input.confirm) return respond(req, ctx, si, input.expand)
      if (!pm)
        invalidRequest(
          'You must provide a payment_method when confirming a SetupIntent.',
          'payment_method',
          'parameter_missing',
        )
      return answer(req, ctx, si, confirmSetup(src, si, pm!, input.return_url), input.expand)
    },
  }),
  route({
    operation: 'setup_intents.retrieve',
    method: 'GET',
    path: '/v1/setup_intents/:intent',
    input: params('GET', '/v1/setup_intents/{intent}', {
      ...expandShape,
      client_secret: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.setupIntents, req.params.intent!, 'setupintent', 'intent'),
        input.expand,
      ),
  }),
  route({
    operation: 'setup_intents.update',
    method: 'POST',
    path: '/v1/setup_intents/:intent',
    input: params('POST', '/v1/setup_intents/{intent}', {
      ...expandShape,
      ...metadataShape,
      payment_method: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const si = find(ctx.state.setupIntents, req.params.intent!, 'setupintent', 'intent')
      si.metadata = mergeMetadata(si.metadata, input.metadata)
      if (input.payment_method) {
        si.payment_method = resolvePaymentMethod(source(req, ctx), input.payment_method).id
        if (si.status === 'requires_payment_method') si.status = 'requires_confirmation'
      }
      return respond(req, ctx, si, input.expand)
    },
  }),
  route({
    operation: 'setup_intents.confirm',
    method: 'POST',
    path: '/v1/setup_intents/:intent/confirm',
    input: params('POST', '/v1/setup_intents/{intent}/confirm', {
      ...expandShape,
      payment_method: z.string().optional(),
      return_url: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const si = find(ctx.state.setupIntents, req.params.intent!, 'setupintent', 'intent')
      if (!CONFIRMABLE.includes(si.status)) unexpected(si, 'confirm', CONFIRMABLE)
      if (input.return_url !== undefined && !URL.canParse(input.return_url))
        invalidRequest('Not a valid URL', 'return_url', 'url_invalid')
      const src = source(req, ctx, timeFor(ctx, si.customer))
      const pmId = input.payment_method ?? si.payment_method
      if (!pmId)
        invalidRequest(
          'You must provide a payment_method when confirming a SetupIntent.',
          'payment_method',
          'parameter_missing',
        )
      const pm = resolvePaymentMethod(src, pmId!)
      return answer(req, ctx, si, confirmSetup(src, si, pm, input.return_url), input.expand)
    },
  }),
  route({
    operation: 'setup_intents.cancel',
    method: 'POST',
    path: '/v1/setup_intents/:intent/cancel',
    input: params('POST', '/v1/setup_intents/{intent}/cancel', {
      ...expandShape,
      cancellation_reason: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const si = find(ctx.state.setupIntents, req.params.intent!, 'setupintent', 'intent')
      if (!CANCELABLE.includes(si.status)) unexpected(si, 'cancel', CANCELABLE)
      si.status = 'canceled'
      si.next_action = null
      si.cancellation_reason = input.cancellation_reason ?? null
      emitEvent(source(req, ctx), 'setup_intent.canceled', si)
      return respond(req, ctx, si, input.expand)
    },
  }),
  route({
    operation: 'setup_intents.list',
    method: 'GET',
    path: '/v1/setup_intents',
    input: params('GET', '/v1/setup_intents', { ...listShape, customer: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.setupIntents, input, '/v1/setup_intents', (si) =>
        matchesGiven(input, si, ['customer']),
      ),
  }),
]
