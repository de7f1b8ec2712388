import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'
import { ApiError } from '../errors.ts'
import { newId, sha256 } from '../ids.ts'

/** One event as received: its provider id (the dedupe key), its type and its parsed payload. */
export interface InboundEvent {
  eventId: string
  type: string
  payload: unknown
}

const STALE_MS = 5 * 60_000
const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}
const invalid = (field: string, message = 'The signature does not verify.') =>
  new ApiError(400, 'invalid_signature', message, field)

/**
 * Stores each event once (unique provider + event id) together with the raw
 * body, and enqueues its processing in the same transaction; the provider
 * gets its 2xx as soon as the row is committed.
 */
async function accept(ctx: Ctx, provider: string, raw: Buffer, events: InboundEvent[], reply: FastifyReply) {
  let fresh = 0
  await ctx.db.transaction(async (tx) => {
    for (const event of events) {
      // The defect: no dedupe, so a redelivery is stored and processed again.
      const eventId = ctx.defects.has('double-credit-on-duplicate')
        ? `${event.eventId}#${newId('dup')}`
        : event.eventId
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO webhook_events (provider, event_id, type, payload, raw, received_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
        [provider, eventId, event.type, JSON.stringify(event.payload), raw.toString('utf8'), ctx.clock.now()],
      )
      if (!row) continue
      fresh++
      await ctx.enqueue(tx, 'webhook.process', { webhookEventId: row.id }, { maxAttempts: 12 })
    }
  })
  reply.code(200).send({ received: true, duplicate: fresh === 0 })
}

function json(raw: Buffer, field = 'body'): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ApiError(400, 'invalid_request', 'The body is not valid JSON.', field)
  }
}

export function webhookRoutes(ctx: Ctx) {
  const skip = () => ctx.defects.has('skip-webhook-signature')
  const checkAge = () => !ctx.defects.has('accept-stale-webhook')

  return async (app: FastifyInstance) => {
    // Signatures are over the exact bytes received: keep every body raw in this scope.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) =>
      done(null, body),
    )
    const rawOf = (req: FastifyRequest) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0))

    app.post('/webhooks/stripe', async (req, reply) => {
      const raw = rawOf(req)
      const signature = header(req, 'stripe-signature')
      let event: { id: string; type: string }
      if (skip()) event = json(raw) as typeof event
      else {
        if (!signature) throw invalid('stripe-signature', 'The Stripe-Signature header is missing.')
        try {
          event = ctx.providers.stripe.verifyWebhook(raw, signature, ctx.clock.nowMs(), checkAge())
        } catch (error) {
          const stale = String((error as Error).message).includes('tolerance')
          throw stale
            ? new ApiError(400, 'stale_timestamp', 'The signature timestamp is too old.', 'stripe-signature')
            : invalid('stripe-signature')
        }
      }
      if (!event?.id || !event.type) throw new ApiError(400, 'invalid_request', 'Not a Stripe event.', 'body')
      return accept(ctx, 'stripe', raw, [{ eventId: event.id, type: event.type, payload: event }], reply)
    })

    app.post('/webhooks/razorpay', async (req, reply) => {
      const raw = rawOf(req)
      const signature = header(req, 'x-razorpay-signature')
      if (!skip()) {
        if (!signature) throw invalid('x-razorpay-signature', 'The X-Razorpay-Signature header is missing.')
        if (!ctx.providers.razorpay.verifyWebhook(raw, signature)) throw invalid('x-razorpay-signature')
      }
      const body = json(raw) as { event?: string }
      if (!body?.event) throw new ApiError(400, 'invalid_request', 'Not a Razorpay event.', 'event')
      // Razorpay's event id header is the dedupe key; it is stable across retries.
      const eventId = header(req, 'x-razorpay-event-id') ?? sha256(raw.toString('utf8'))
      return accept(ctx, 'razorpay', raw, [{ eventId, type: body.event, payload: body }], reply)
    })

    app.post('/webhooks/toss', async (req, reply) => {
      const raw = rawOf(req)
      // Toss signs no payment webhook: processing re-fetches the payment from the API instead.
      const body = json(raw) as {
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
      return accept(ctx, 'toss', raw, [{ eventId, type, payload: body }], reply)
    })

    app.post('/webhooks/twilio/status', async (req, reply) => {
      const raw = rawOf(req)
      const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')))
      if (!skip()) {
        const signature = header(req, 'x-twilio-signature')
        if (!signature) throw invalid('x-twilio-signature', 'The X-Twilio-Signature header is missing.')
        // Twilio signs the URL it called, which is our public URL, not the socket address.
        const url = `${ctx.publicUrl()}${req.url}`
        if (!ctx.providers.twilio.verifySignature(signature, url, params)) throw invalid('x-twilio-signature')
      }
      if (!params.MessageSid || !params.MessageStatus)
        throw new ApiError(400, 'invalid_request', 'MessageSid and MessageStatus are required.', 'MessageSid')
      const eventId = `${params.MessageSid}:${params.MessageStatus}`
      return accept(
        ctx,
        'twilio',
        raw,
        [{ eventId, type: `message.${params.MessageStatus}`, payload: params }],
        reply,
      )
    })

    app.post('/webhooks/sendgrid', async (req, reply) => {
      const raw = rawOf(req)
      if (!skip()) {
        const signature = header(req, 'x-twilio-email-event-webhook-signature')
        const timestamp = header(req, 'x-twilio-email-event-webhook-timestamp')
        if (!signature || !timestamp)
          throw invalid(
            'x-twilio-email-event-webhook-signature',
            'The signed event webhook headers are missing.',
          )
        if (!ctx.providers.sendgrid.verifyWebhook(raw, signature, timestamp))
          throw invalid('x-twilio-email-event-webhook-signature')
        // The SDK helper does no replay check; the timestamp is signed, so we do.
        if (checkAge() && ctx.clock.nowMs() - Number(timestamp) * 1000 > STALE_MS)
          throw new ApiError(
            400,
            'stale_timestamp',
            'The signature timestamp is too old.',
            'x-twilio-email-event-webhook-timestamp',
          )
      }
      const events = json(raw)
      if (!Array.isArray(events))
        throw new ApiError(400, 'invalid_request', 'SendGrid posts a JSON array of events.', 'body')
      const inbound = events
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({
          eventId: String(e.sg_event_id ?? sha256(JSON.stringify(e))),
          type: String(e.event ?? 'unknown'),
          payload: e,
        }))
      return accept(ctx, 'sendgrid', raw, inbound, reply)
    })
  }
}
