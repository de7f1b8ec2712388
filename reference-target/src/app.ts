import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { Ctx, Fulfilment } from './context.ts'
import { type Database, openDatabase } from './db/database.ts'
import { Defects } from './defects.ts'
import { ApiError } from './errors.ts'
import { authenticator } from './flows/auth.ts'
import { createGateways } from './gateways/registry.ts'
import { mountRoutes, type RouteSpec } from './http/api.ts'
import { buildOpenApi } from './http/openapi.ts'
import { testClockRoutes } from './http/test-clock.ts'
import { enqueue } from './jobs/queue.ts'
import { type JobHandler, JobWorker } from './jobs/worker.ts'
import { FLOW_MODULES } from './modules.ts'
import { createProviders } from './providers/index.ts'

export interface ReferenceApp {
  app: FastifyInstance
  ctx: Ctx
  db: Database
  worker: JobWorker
  /** Listens on config.host:port (0 = ephemeral) and starts the worker; answers the base URL. */
  listen(): Promise<string>
  /** Stops the worker (waiting for jobs in flight), the server and the database. */
  close(): Promise<void>
}

/**
 * Builds the app on the database the config names (migrated), with its job
 * worker. Nothing listens until `listen()`; tests may use `app.inject()`.
 *
 * @example
 * const ref = await buildReferenceApp(makeConfig({ port: 0 }))
 * const url = await ref.listen()
 * await ref.close()
 */
export async function buildReferenceApp(
  config: Config,
  options: { db?: Database; clock?: Clock } = {},
): Promise<ReferenceApp> {
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }))
  const clock = options.clock ?? new Clock()
  const defects = new Defects(config.defects)
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    trustProxy: true,
    bodyLimit: 256 * 1024,
  })
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`
  let worker: JobWorker | undefined
  const providers = createProviders(config, db, clock, defects)
  const purposes: Record<string, Fulfilment> = {}
  const ctx: Ctx = {
    config,
    db,
    clock,
    defects,
    providers,
    gateways: createGateways(providers),
    purposes,
    log: app.log,
    publicUrl: () => publicUrl,
    enqueue: async (tx, type, payload, opts) => {
      await enqueue(tx, clock, type, payload, opts)
      // The row is visible once the caller commits; a kick shortly after saves a poll interval.
      setTimeout(() => worker?.kick(), 5)
    },
  }

  const handlers: Record<string, JobHandler> = {}
  for (const flow of FLOW_MODULES) {
    Object.assign(handlers, flow.jobs?.(ctx))
    Object.assign(purposes, flow.purposes?.(ctx))
  }
  worker = new JobWorker(db, clock, handlers, { pollMs: config.jobs.pollMs, log: app.log })

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      const retryAfter = error.details?.retryAfterSeconds
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter))
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.field ? { field: error.field } : {}),
          ...error.details,
        },
      })
    }
    const fe = error as FastifyError
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'invalid_request'
      return reply.code(fe.statusCode).send({ error: { code, message: fe.message, field: 'body' } })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.code(500).send({
      error: { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' },
    })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0]}. See GET /openapi.json.`,
      },
    }),
  )

  const routes: RouteSpec[] = [
    ...FLOW_MODULES.flatMap((flow) => flow.routes?.(ctx) ?? []),
    ...(config.testClock ? testClockRoutes(ctx, () => worker?.kick()) : []),
  ]
  mountRoutes(app, routes, authenticator(ctx))
  for (const flow of FLOW_MODULES) {
    const plugin = flow.plugin?.(ctx)
    if (plugin) await app.register(plugin)
  }
  app.get('/openapi.json', async () => buildOpenApi(routes, publicUrl))
  app.get('/health', async () => {
    await db.query('SELECT 1')
    return { status: 'ok', database: db.kind, defects: defects.list() }
  })

  let closed = false
  return {
    app,
    ctx,
    db,
    worker,
    async listen() {
      await app.listen({ host: config.host, port: config.port })
      const { port } = app.server.address() as AddressInfo
      if (!config.publicUrl) publicUrl = `http://${config.host}:${port}`
      if (config.jobs.autostart) worker!.start()
      return `http://${config.host}:${port}`
    },
    async close() {
      if (closed) return
      closed = true
      await worker!.stop()
      await app.close()
      if (!options.db) await db.close()
    },
  }
}
