import type { TriggerSpec } from '../core/provider.ts'
import { closeDispute, settleDispute, updateDispute } from './disputes.ts'
import type { Dispute } from './models.ts'
import { refundCharge } from './payments.ts'
import type { StripeContext, StripeState } from './state.ts'
import { payment, sourceOf } from './trigger-support.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * `stripe trigger` for disputes and refund updates: each pays with the test
 * card Stripe documents for it and drives the dispute or refund through the
 * same code the API uses, so every object can be fetched afterwards.
 */
function disputed(ctx: StripeContext, number = '4000000000000259'): Dispute {
  const pi = payment(ctx, number)
  return ctx.state.disputes.find((d) => d.payment_intent === pi.id)!
}

export const disputeTriggers: Record<string, TriggerSpec<StripeState>> = {
  'charge.dispute.created': {
    summary: 'a card payment disputed as fraudulent (0259)',
    run: (ctx) => disputed(ctx),
  },
  'charge.dispute.funds_withdrawn': {
    summary: 'a chargeback: the amount and the $15 fee are withdrawn (0259)',
    run: (ctx) => disputed(ctx),
  },
  'charge.dispute.updated': {
    summary: 'a dispute whose evidence is submitted',
    run: (ctx) => {
      const dispute = disputed(ctx)
      updateDispute(sourceOf(ctx), dispute, { evidence: { product_description: 'Credits pack' } })
      return dispute
    },
  },
  'charge.dispute.closed': {
    summary: 'a dispute closed (accepted, lost)',
    run: (ctx) => {
      const dispute = disputed(ctx)
      closeDispute(sourceOf(ctx), dispute)
      return dispute
    },
  },
  'charge.dispute.funds_reinstated': {
    summary: 'a dispute won with winning_evidence: the funds come back',
    run: (ctx) => {
      const dispute = disputed(ctx)
      updateDispute(sourceOf(ctx), dispute, { evidence: { uncategorized_text: 'winning_evidence' } })
      settleDispute(sourceOf(ctx), dispute.id, 'winning_evidence')
      return dispute
    },
  },
  'refund.updated': {
    summary: 'a refund whose metadata is updated',
    run: (ctx) => updatedRefund(ctx),
  },
  'charge.refund.updated': {
    summary: 'a refund whose metadata is updated',
    run: (ctx) => updatedRefund(ctx),
  },
}

function updatedRefund(ctx: StripeContext) {
  const pi = payment(ctx, '4242424242424242')
  const src = sourceOf(ctx)
  const refund = refundCharge(src, ctx.state.charges.get(pi.latest_charge!)!, {})
  const previous = { metadata: { ...(refund.metadata as Record<string, string>) } }
  refund.metadata = { ...(refund.metadata as Record<string, string>), triggered: 'true' }
  emitBoth(src, refund, previous)
  return refund
}

function emitBoth(src: EventSource, refund: object, previous: Record<string, unknown>) {
  emitEvent(src, 'refund.updated', refund, previous)
  emitEvent(src, 'charge.refund.updated', refund, previous)
}
