import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'
import { newId } from '../ids.ts'
import { type InboundEvent, webhookChecks } from './source.ts'
import { WEBHOOK_SOURCES } from './sources.ts'

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

/** One POST endpoint per webhook source: verify and parse (the source), then store and enqueue (here). */
export function webhookRoutes(ctx: Ctx) {
  return async (app: FastifyInstance) => {
    // Signatures are over the exact bytes received: keep every body raw in this scope.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) =>
      done(null, body),
    )
    for (const source of WEBHOOK_SOURCES.values())
      app.post(source.path, async (req: FastifyRequest, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
        const header = (name: string) => {
          const v = req.headers[name]
          return Array.isArray(v) ? v[0] : v
        }
        const events = source.receive(ctx, { raw, header, url: req.url }, webhookChecks(ctx))
        return accept(ctx, source.provider, raw, events, reply)
      })
  }
}
