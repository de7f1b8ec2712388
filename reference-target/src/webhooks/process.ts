import type { Ctx } from '../context.ts'
import type { FlowModule } from '../flows/module.ts'
import { webhookRoutes } from './routes.ts'
import { type StoredEvent, webhookChecks } from './source.ts'
import { WEBHOOK_SOURCES } from './sources.ts'

/**
 * The job that processes one stored webhook event. It runs after the 2xx
 * went out, may run more than once (retries, restarts), and so only ever
 * calls idempotent operations (fulfil, markFailed, status updates).
 */
export function webhookJobs(ctx: Ctx) {
  return {
    'webhook.process': async (payload: Record<string, unknown>) => {
      const [event] = await ctx.db.query<StoredEvent>('SELECT * FROM webhook_events WHERE id = $1', [
        payload.webhookEventId,
      ])
      if (!event || event.processed_at) return
      await WEBHOOK_SOURCES.get(event.provider)?.process(ctx, event, webhookChecks(ctx))
      await ctx.db.query('UPDATE webhook_events SET processed_at = $2 WHERE id = $1', [
        event.id,
        ctx.clock.now(),
      ])
    },
  }
}

/** Provider webhooks: raw-body endpoints that store and enqueue, and the job that acts on each event. */
export const webhooks: FlowModule = { plugin: webhookRoutes, jobs: webhookJobs }
