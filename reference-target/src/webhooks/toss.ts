import { ApiError } from '../errors.ts'
import { paymentByOrder } from '../flows/payment-row.ts'
import { fulfil, markFailed, markRefunded } from '../flows/payments.ts'
import type { TossPayment } from '../providers/toss.ts'
import { parseJson, type WebhookSource } from './source.ts'

const PROVIDER = 'toss'

/**
 * Toss signs no payment webhook: the delivery is only a hint, and processing
 * re-fetches the payment from the API (unless the signature check is off).
 */
export const tossWebhooks: WebhookSource = {
  provider: PROVIDER,
  path: '/webhooks/toss',
  receive(_ctx, req) {
    const body = parseJson(req.raw) as {
      eventType?: string
      data?: Record<string, unknown>
      orderId?: string
      status?: string
      transactionKey?: string
      secret?: string
    }
    if (!body || typeof body !== 'object')
      throw new ApiError(400, 'invalid_request', 'Not a Toss event.', 'eventType')
    const type = body.eventType ?? (body.secret !== undefined ? 'DEPOSIT_CALLBACK' : undefined)
    if (!type) throw new ApiError(400, 'invalid_request', 'Not a Toss event.', 'eventType')
    const d = (body.data ?? body) as Record<string, unknown>
    const eventId = [
      type,
      d.paymentKey ?? d.orderId,
      d.status,
      d.lastTransactionKey ?? d.transactionKey,
    ].join(':')
    return [{ eventId, type, payload: body }]
  },
  async process(ctx, { type, payload: body }, checks) {
    if (type !== 'PAYMENT_STATUS_CHANGED' && type !== 'DEPOSIT_CALLBACK') return
    const claimed = (type === 'PAYMENT_STATUS_CHANGED' ? body.data : body) as Partial<TossPayment> & {
      secret?: string
    }
    const orderId = claimed.orderId
    if (!orderId) return
    const p = await paymentByOrder(ctx.db, PROVIDER, orderId)
    if (!p) return
    // Believe the API, not the body (with the signature check off, the body is believed).
    const truth: Partial<TossPayment> = checks.signature
      ? await ctx.providers.toss.getPaymentByOrder(orderId)
      : claimed
    if (truth.status === 'DONE' && (truth.totalAmount ?? 0) >= p.amount)
      await fulfil(ctx, p.id, { source: 'toss-webhook', providerRef: truth.paymentKey })
    else if (truth.status === 'ABORTED' || truth.status === 'EXPIRED')
      await markFailed(ctx, p.id, truth.status, 'The payment did not complete.')
    else if (truth.status === 'CANCELED' && p.status === 'refunding') await markRefunded(ctx, p.id)
  },
}
