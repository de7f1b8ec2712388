import type { FastifyPluginAsync } from 'fastify'
import type { Ctx, Fulfilment } from '../context.ts'
import type { RouteSpec } from '../http/api.ts'
import type { JobHandler } from '../jobs/worker.ts'

/**
 * One flow of the app as app.ts mounts it: its API routes, the jobs it
 * enqueues, and what a paid payment of its purpose delivers. A new flow is
 * its file exporting one of these plus one line in modules.ts.
 */
export interface FlowModule {
  /** Public API routes (validated and listed in /openapi.json). */
  routes?(ctx: Ctx): RouteSpec[]
  /** Job handlers by job type (ctx.enqueue(tx, type, payload)). */
  jobs?(ctx: Ctx): Record<string, JobHandler>
  /** Fulfilment by payment purpose (payments.purpose): what fulfil() delivers once a payment is proven. */
  purposes?(ctx: Ctx): Record<string, Fulfilment>
  /** Routes that need their own Fastify scope (raw bodies for webhook signatures). */
  plugin?(ctx: Ctx): FastifyPluginAsync
}
