import { ApiError } from '../errors.ts'
import { paymentByOrder } from '../flows/payment-row.ts'
import { fulfil } from '../flows/payments.ts'
import { sha256 } from '../ids.ts'
import { invalidSignature, parseJson, type WebhookSource } from './source.ts'

const PROVIDER = 'razorpay'

/** Razorpay: X-Razorpay-Signature (HMAC of the raw body with the webhook secret); a second path to fulfilment. */
export const razorpayWebhooks: WebhookSource = {
  provider: PROVIDER,
  path: '/webhooks/razorpay',
  receive(ctx, req, checks) {
    const signature = req.header('x-razorpay-signature')
    if (checks.signature) {
      if (!signature)
        throw invalidSignature('x-razorpay-signature', 'The X-Razorpay-Signature header is missing.')
      if (!ctx.providers.razorpay.verifyWebhook(req.raw, signature))
        throw invalidSignature('x-razorpay-signature')
    }
    const body = parseJson(req.raw) as { event?: string }
    if (!body?.event) throw new ApiError(400, 'invalid_request', 'Not a Razorpay event.', 'event')
    // Razorpay's event id header is the dedupe key; it is stable across retries.
    const eventId = req.header('x-razorpay-event-id') ?? sha256(req.raw.toString('utf8'))
    return [{ eventId, type: body.event, payload: body }]
  },
  async process(ctx, { payload: body }) {
    const event = body.event as string
    const entity = (body.payload as { payment?: { entity?: Record<string, unknown> } } | undefined)?.payment
      ?.entity
    if (!entity || !['payment.captured', 'order.paid'].includes(event)) return
    const orderId = entity.order_id as string | undefined
    const p = orderId ? await paymentByOrder(ctx.db, PROVIDER, orderId) : undefined
    if (p && Number(entity.amount) >= p.amount)
      await fulfil(ctx, p.id, { source: 'razorpay-webhook', providerRef: String(entity.id) })
  },
}
