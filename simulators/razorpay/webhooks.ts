import { createHmac } from 'node:crypto'
import { copyJson } from '../core/json-copy.ts'
import type { ProviderContext } from '../core/provider.ts'
import type { WebhookSpec } from '../core/webhooks/types.ts'
import type { Order, Payment, RazorpayState, Refund } from './models.ts'

/**
 * Razorpay webhooks: `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body
 * with the endpoint's secret, `X-Razorpay-Event-Id` the same on every retry.
 */
export function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/** The checkout signature: HMAC-SHA256 of `order_id|payment_id` with the key secret. */
export function checkoutSignature(keySecret: string, orderId: string, paymentId: string): string {
  return signature(keySecret, `${orderId}|${paymentId}`)
}

const MINUTE = 60_000

/**
 * Retries "in exponential backoff policy for 24 hours after event creation"
 * (the docs; the intervals are not published): 1, 2, 4 … 512 minutes, then a
 * last try exactly 24 h after the first. A delivery that fails them all
 * disables the endpoint, as "if the webhooks continue to fail for 24 hours,
 * the webhook is disabled".
 */
const DOUBLING = Array.from({ length: 10 }, (_, i) => MINUTE * 2 ** i)
export const RETRY_SCHEDULE: readonly number[] = [
  ...DOUBLING,
  24 * 60 * MINUTE - DOUBLING.reduce((a, b) => a + b, 0),
]

export const webhookSpec: WebhookSpec = {
  schedule: RETRY_SCHEDULE,
  // "Any 2xx returned within 5 seconds" is success.
  timeoutMs: 5_000,
  disableOnExhaustion: true,
  sign: ({ event, endpoint, body }) => ({
    'content-type': 'application/json',
    'user-agent': 'Razorpay-Webhook/v1',
    'x-razorpay-event-id': event.id,
    'x-razorpay-signature': signature(endpoint.secret, body),
  }),
}

export type EventType =
  | 'payment.authorized'
  | 'payment.captured'
  | 'payment.failed'
  | 'order.paid'
  | 'refund.created'
  | 'refund.processed'
  | 'refund.failed'

/** A payment as webhooks show it: the card object inlined for card payments. */
export function paymentForEvent(state: RazorpayState, payment: Payment): Payment {
  const card = payment.card_id ? state.cards.get(payment.card_id) : undefined
  return card ? { ...payment, card } : { ...payment }
}

/**
 * Sends one event to the account's endpoints. The payload is a snapshot
 * (later changes to the objects do not leak into retries), in Razorpay's
 * envelope: each key of `contains` under `payload.<key>.entity`.
 */
export function emit(
  ctx: ProviderContext<RazorpayState>,
  type: EventType,
  entities: { payment?: Payment; order?: Order; refund?: Refund },
) {
  const payload: Record<string, { entity: unknown }> = {}
  // Razorpay lists refund before payment, payment before order.
  if (entities.refund) payload.refund = { entity: copyJson(entities.refund) }
  if (entities.payment) payload.payment = { entity: copyJson(paymentForEvent(ctx.state, entities.payment)) }
  if (entities.order) payload.order = { entity: copyJson(entities.order) }
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
