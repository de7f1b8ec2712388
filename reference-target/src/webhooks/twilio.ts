import { ApiError } from '../errors.ts'
import { invalidSignature, type WebhookSource } from './source.ts'

const PROVIDER = 'twilio'

/** Twilio message status callbacks: X-Twilio-Signature over our public URL and the form parameters. */
export const twilioWebhooks: WebhookSource = {
  provider: PROVIDER,
  path: '/webhooks/twilio/status',
  receive(ctx, req, checks) {
    const params = Object.fromEntries(new URLSearchParams(req.raw.toString('utf8')))
    if (checks.signature) {
      const signature = req.header('x-twilio-signature')
      if (!signature)
        throw invalidSignature('x-twilio-signature', 'The X-Twilio-Signature header is missing.')
      // Twilio signs the URL it called, which is our public URL, not the socket address.
      const url = `${ctx.publicUrl()}${req.url}`
      if (!ctx.providers.twilio.verifySignature(signature, url, params))
        throw invalidSignature('x-twilio-signature')
    }
    if (!params.MessageSid || !params.MessageStatus)
      throw new ApiError(400, 'invalid_request', 'MessageSid and MessageStatus are required.', 'MessageSid')
    const eventId = `${params.MessageSid}:${params.MessageStatus}`
    return [{ eventId, type: `message.${params.MessageStatus}`, payload: params }]
  },
  async process(ctx, { payload: params }) {
    await ctx.db.query(
      `UPDATE sms_messages SET status = $3, error = COALESCE($4, error), updated_at = $5 WHERE provider = $1 AND provider_message_id = $2`,
      [
        PROVIDER,
        params.MessageSid,
        params.MessageStatus,
        params.ErrorCode ? `Twilio error ${params.ErrorCode}` : null,
        ctx.clock.now(),
      ],
    )
  },
}
