import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import type { z } from 'zod'
import { HarnessError } from '../errors.ts'
import type { Core } from '../runtime.ts'
import {
  applyConnectionCap,
  clientErrorStatus,
  type ServerLimits,
  serverOptions,
  writeRawResponse,
} from '../transports/limits.ts'
import { type ControlSecurity, secureControlPlane } from './auth.ts'
import { registerDashboard } from './dashboard/index.ts'
import { controlHandlers } from './handlers.ts'
import { openApiDocument } from './openapi.ts'
import type { Preset } from './presets.ts'
import { type RouteId, type RouteSpec, routes } from './routes.ts'
import { StreamedJson } from './stream.ts'

export const CONTROL_PREFIX = '/_standin'

/**
 * The hub's own app: the control plane under /_standin/, its OpenAPI
 * document, and the dashboard at /. Bad input is a 400 naming the field;
 * with a token set, a request without it is a 401 (auth.ts).
 */
export function buildControlApp(
  core: Core,
  presets: Map<string, Preset>,
  limits: ServerLimits = {},
  security: ControlSecurity = {},
): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    ...serverOptions(limits),
    // A URL fastify cannot decode or route still gets the control plane's own error body.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      void (reply as unknown as FastifyReply)
        .code(tooLong ? 414 : 400)
        .send(
          new HarnessError(
            'STANDIN_BAD_REQUEST',
            tooLong
              ? 'Failed to route the request: a path segment is too long. Ids are short; check the URL.'
              : `Failed to read the request: ${error.message}. Percent-encode the URL.`,
            { field: 'url' },
          ).toJSON(),
        )
    },
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return
      const status = clientErrorStatus(error)
      const body = new HarnessError(
        'STANDIN_BAD_REQUEST',
        status === 408
          ? 'Failed to read the request: it was not received in time.'
          : status === 431
            ? 'Failed to read the request: its headers are too large.'
            : `Failed to read the request: malformed HTTP (${error.message}).`,
      ).toJSON()
      writeRawResponse(
        socket,
        status,
        { 'content-type': 'application/json; charset=utf-8' },
        JSON.stringify(body),
      )
    },
  })
  applyConnectionCap(app.server, limits)
  secureControlPlane(app, CONTROL_PREFIX, security)
  const handlers = controlHandlers(core, presets)
  const openapi = openApiDocument(routes, CONTROL_PREFIX)

  for (const [id, spec] of Object.entries(routes) as [RouteId, RouteSpec][]) {
    // Each handler's input is typed from its own route's schemas; parsing with those schemas is what makes it so.
    const handler = handlers[id] as (input: unknown) => unknown
    app.route({
      method: spec.method,
      url: CONTROL_PREFIX + spec.path,
      handler: async (request, reply) => {
        const query = spec.query ? parse(spec.query, nestBrackets(request.query ?? {}), 'query') : {}
        const body = spec.body ? parse(spec.body, request.body ?? {}, 'body') : undefined
        checkNames(core, query)
        checkNames(core, body)
        const result = await handler({ query, body, params: request.params })
        if (result instanceof StreamedJson)
          return reply
            .code(spec.status ?? 200)
            .type('application/json; charset=utf-8')
            .send(result.stream())
        return reply.code(spec.status ?? 200).send(result)
      },
    })
  }
  app.get(`${CONTROL_PREFIX}/openapi.json`, async () => openapi)
  registerDashboard(app, core, CONTROL_PREFIX)

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        new HarnessError(
          'STANDIN_NOT_FOUND',
          `No control-plane route ${request.method} ${request.url.split('?')[0]}. See ${CONTROL_PREFIX}/openapi.json.`,
        ).toJSON(),
      ),
  )
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error instanceof HarnessError) return reply.code(error.status).send(error.toJSON())
    if (error.statusCode && error.statusCode < 500) {
      // fastify's own refusals (malformed JSON, wrong content type, too large) concern the body.
      return reply.code(error.statusCode).send(
        new HarnessError('STANDIN_BAD_REQUEST', `Failed to read the request: ${error.message}.`, {
          field: 'body',
        }).toJSON(),
      )
    }
    core.log.error('control plane failed', { error: String(error.stack ?? error) })
    return reply
      .code(500)
      .send(new HarnessError('STANDIN_INTERNAL', `Internal error: ${error.message}`).toJSON())
  })
  return app
}

/**
 * A filter or body naming a provider or operation that does not exist would
 * answer empty (or everything) and hide a typo: refuse it with a 400 naming the field.
 */
function checkNames(core: Core, input: unknown) {
  if (!input || typeof input !== 'object') return
  const { provider, operation } = input as { provider?: unknown; operation?: unknown }
  if (typeof provider === 'string') core.provider(provider)
  if (typeof operation === 'string') {
    const runtimes = typeof provider === 'string' ? [core.provider(provider)] : [...core.providers.values()]
    if (!runtimes.some((r) => r.definition.routes.some((route) => route.operation === operation)))
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Unknown operation '${operation}'${typeof provider === 'string' ? ` for ${provider}` : ''}. GET ${CONTROL_PREFIX}/providers lists them.`,
        { field: 'operation' },
      )
  }
}

/**
 * `where[metadata.order_id]=o_1` → `{ where: { 'metadata.order_id': 'o_1' } }`: the one level of
 * nesting the typed client writes for map-valued filters. Without it such a filter was silently
 * dropped and every entry matched.
 */
export function nestBrackets(query: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query)) {
    const match = /^([^[\]]+)\[([^\]]+)\]$/.exec(key)
    if (!match) out[key] = value
    else {
      const inner = out[match[1]!] ?? {}
      out[match[1]!] = inner
      if (inner && typeof inner === 'object') (inner as Record<string, unknown>)[match[2]!] = value
    }
  }
  return out
}

function parse(schema: z.ZodType, value: unknown, where: 'query' | 'body'): unknown {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
  const field = [...issue.path.map(String), ...keys.slice(0, 1)].join('.') || where
  const what = issue.code === 'unrecognized_keys' ? `unknown field '${keys.join("', '")}'` : issue.message
  throw new HarnessError('STANDIN_BAD_REQUEST', `Invalid ${where}: ${field}: ${what}.`, { field })
}
