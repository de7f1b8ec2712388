import { z } from 'zod'
import { afterConnectRefund } from '../connect-fees.ts'
import { invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { refundCharge } from '../payments.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  previousOf,
  respond,
  route,
  source,
  timeFor,
} from './shared.ts'

export const refunds = [
  route({
    operation: 'refunds.create',
    method: 'POST',
    path: '/v1/refunds',
    input: params('POST', '/v1/refunds', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      charge: z.string().optional(),
      payment_intent: z.string().optional(),
      reason: z.string().optional(),
      refund_application_fee: z.boolean().optional(),
      reverse_transfer: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      let chargeId = input.charge
      if (input.payment_intent) {
        const pi = find(ctx.state.paymentIntents, input.payment_intent, 'payment_intent', 'payment_intent')
        if (!pi.latest_charge || pi.status !== 'succeeded')
          invalidRequest(
            `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
            'payment_intent',
            'charge_not_refundable',
          )
        chargeId = pi.latest_charge!
      }
      if (!chargeId)
        invalidRequest(
          'One of the following params should be provided for this request: payment_intent or charge.',
          undefined,
          'parameter_missing',
        )
      const charge = find(ctx.state.charges, chargeId!, 'charge', 'charge')
      const refund = refundCharge(source(req, ctx, timeFor(ctx, charge.customer)), charge, {
        amount: input.amount,
        reason: input.reason,
        metadata: input.metadata === '' ? {} : input.metadata,
      })
      afterConnectRefund(source(req, ctx), charge, refund, input)
      return respond(req, ctx, refund, input.expand)
    },
  }),
  route({
    operation: 'refunds.retrieve',
    method: 'GET',
    path: '/v1/refunds/:refund',
    input: params('GET', '/v1/refunds/{refund}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.refunds, req.params.refund!, 'refund', 'id'), input.expand),
  }),
  route({
    operation: 'refunds.update',
    method: 'POST',
    path: '/v1/refunds/:refund',
    input: params('POST', '/v1/refunds/{refund}', { ...expandShape, ...metadataShape }),
    handler: (req, ctx, input) => {
      const refund = find(ctx.state.refunds, req.params.refund!, 'refund', 'id')
      const before = structuredClone(refund) as Record<string, unknown>
      refund.metadata = mergeMetadata(refund.metadata as Record<string, string>, input.metadata)
      // Stripe sends both for a card refund's change, each with what changed.
      const previous = previousOf(before, refund)
      emitEvent(source(req, ctx), 'refund.updated', refund, previous)
      emitEvent(source(req, ctx), 'charge.refund.updated', refund, previous)
      return respond(req, ctx, refund, input.expand)
    },
  }),
  route({
    operation: 'refunds.list',
    method: 'GET',
    path: '/v1/refunds',
    input: params('GET', '/v1/refunds', {
      ...listShape,
      charge: z.string().optional(),
      payment_intent: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.refunds, input, '/v1/refunds', (r) =>
        matchesGiven(input, r, ['charge', 'payment_intent']),
      ),
  }),
]
