import { ApiError } from '../errors.ts'
import { markEmailUndeliverable } from '../flows/profile.ts'
import { sha256 } from '../ids.ts'
import { invalidSignature, parseJson, STALE_MS, staleTimestamp, type WebhookSource } from './source.ts'

const SIGNATURE = 'x-twilio-email-event-webhook-signature'
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp'

/** SendGrid's signed Event Webhook: ECDSA over timestamp + raw body; a JSON array of events per delivery. */
export const sendgridWebhooks: WebhookSource = {
  provider: 'sendgrid',
  path: '/webhooks/sendgrid',
  receive(ctx, req, checks) {
    if (checks.signature) {
      const signature = req.header(SIGNATURE)
      const timestamp = req.header(TIMESTAMP)
      if (!signature || !timestamp)
        throw invalidSignature(SIGNATURE, 'The signed event webhook headers are missing.')
      if (!ctx.providers.sendgrid.verifyWebhook(req.raw, signature, timestamp))
        throw invalidSignature(SIGNATURE)
      // The SDK helper does no replay check; the timestamp is signed, so we do.
      if (checks.age && ctx.clock.nowMs() - Number(timestamp) * 1000 > STALE_MS)
        throw staleTimestamp(TIMESTAMP)
    }
    const events = parseJson(req.raw)
    if (!Array.isArray(events))
      throw new ApiError(400, 'invalid_request', 'SendGrid posts a JSON array of events.', 'body')
    return events
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => ({
        eventId: String(e.sg_event_id ?? sha256(JSON.stringify(e))),
        type: String(e.event ?? 'unknown'),
        payload: e,
      }))
  },
  async process(ctx, { type, payload: event }) {
    if (type !== 'bounce' && type !== 'dropped') return
    await markEmailUndeliverable(ctx, {
      email: String(event.email ?? ''),
      verificationId: typeof event.verification_id === 'string' ? event.verification_id : undefined,
      reason: String(event.reason ?? type),
    })
  },
}
