import { copyJson } from '../core/json-copy.ts'
import type { ProviderContext } from '../core/provider.ts'
import type { PaymentLink, Subscription } from './billing-models.ts'
import type { Order, Payment, RazorpayState } from './models.ts'
import { paymentForEvent } from './webhooks.ts'

/** The Subscriptions and Payment Links events standin sends (razorpay.md §6.3). */
export type BillingEventType =
  | 'subscription.authenticated'
  | 'subscription.activated'
  | 'subscription.charged'
  | 'subscription.pending'
  | 'subscription.halted'
  | 'subscription.cancelled'
  | 'subscription.paused'
  | 'subscription.resumed'
  | 'subscription.completed'
  | 'subscription.updated'
  | 'payment_link.paid'
  | 'payment_link.partially_paid'
  | 'payment_link.cancelled'
  | 'payment_link.expired'

/**
 * One event in Razorpay's envelope (`contains` + `payload.<key>.entity`),
 * signed by the provider's webhook spec like every other Razorpay event. The
 * payload is a snapshot. Order of keys: subscription or payment_link first,
 * then order, then payment (the samples' order).
 */
export function emitBilling(
  ctx: ProviderContext<RazorpayState>,
  type: BillingEventType,
  entities: { subscription?: Subscription; payment_link?: PaymentLink; order?: Order; payment?: Payment },
) {
  const payload: Record<string, { entity: unknown }> = {}
  if (entities.subscription) payload.subscription = { entity: copyJson(entities.subscription) }
  if (entities.payment_link) payload.payment_link = { entity: copyJson(entities.payment_link) }
  if (entities.order) payload.order = { entity: copyJson(entities.order) }
  if (entities.payment) payload.payment = { entity: copyJson(paymentForEvent(ctx.state, entities.payment)) }
  return ctx.webhooks.emit({
    type,
    id: ctx.ids.mint('', 14),
    payload: {
      entity: 'event',
      account_id: ctx.state.accountId,
      event: type,
      contains: Object.keys(payload),
      payload,
      created_at: ctx.clock.unix(),
    },
  })
}
