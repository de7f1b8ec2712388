import { createHmac } from 'node:crypto'
import { z } from 'zod'
import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import { defineProvider, routesFor } from '../core/provider.ts'
import { Collection } from '../core/store.ts'

/**
 * A tiny provider that exists only to test the core and to benchmark it: it
 * has every piece a real provider has (auth, routes with schemas, state,
 * an error catalogue, signed webhooks, idempotency) and nothing else.
 */
interface Widget {
  id: string
  object: 'widget'
  name: string
  size: number
  shipped: boolean
  metadata: Record<string, string>
  created: number
}

interface TestkitState {
  widgets: Collection<Widget>
}

const route = routesFor<TestkitState>()

const error = (status: number, code: string, message: string, param?: string): PlainResponse => ({
  status,
  body: { error: { code, message, ...(param ? { param } : {}) } },
})

export const testkitErrors = {
  declined: {
    summary: 'the widget was declined',
    respond: (p: Record<string, unknown>) => error(402, 'declined', String(p.message ?? 'Declined.')),
  },
  rate_limited: {
    summary: 'too many requests',
    respond: () => ({ ...error(429, 'rate_limited', 'Too many requests.'), headers: { 'retry-after': '1' } }),
  },
  server_error: {
    summary: 'internal error',
    respond: () => error(500, 'server_error', 'Something went wrong.'),
  },
}

export function signTestkit(secret: string, timestamp: number, body: string): string {
  const t = Math.floor(timestamp / 1000)
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`
}

const CreateWidget = z.strictObject({
  name: z.string().min(1).max(100),
  size: z.coerce.number().int().min(0).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
})

const Echo = z.strictObject({ name: z.string().min(1).max(100) })

const widgets = [
  route({
    // The benchmark's route: auth, decoding, validation, journal and faults, and no state, so it measures the core.
    operation: 'echo',
    method: 'POST',
    path: '/v1/echo',
    input: Echo,
    handler: (_req, _ctx, input) => ({ status: 200, body: { object: 'echo', name: input.name } }),
  }),
  route({
    operation: 'hello',
    method: 'GET',
    path: '/hello',
    auth: false,
    handler: () => ({ status: 200, body: { hello: 'world' } }),
  }),
  route({
    operation: 'widgets.create',
    method: 'POST',
    path: '/v1/widgets',
    input: CreateWidget,
    handler: (_req, ctx, input) => {
      const widget = ctx.state.widgets.insert({
        id: ctx.ids.mint('wid_', 14),
        object: 'widget',
        name: input.name,
        size: input.size ?? 1,
        shipped: false,
        metadata: input.metadata ?? {},
        created: ctx.clock.unix(),
      })
      return { status: 200, body: widget }
    },
  }),
  route({
    operation: 'widgets.retrieve',
    method: 'GET',
    path: '/v1/widgets/:id',
    handler: (req, ctx) => {
      const widget = ctx.state.widgets.get(req.params.id!)
      if (!widget) throw new ProviderError(error(404, 'not_found', `No such widget: ${req.params.id}`, 'id'))
      return { status: 200, body: widget }
    },
  }),
  route({
    operation: 'widgets.list',
    method: 'GET',
    path: '/v1/widgets',
    input: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(10),
      starting_after: z.string().optional(),
    }),
    handler: (_req, ctx, input) => {
      const page = ctx.state.widgets.page({ limit: input.limit, startingAfter: input.starting_after })
      return { status: 200, body: { object: 'list', data: page.items, has_more: page.hasMore } }
    },
  }),
  route({
    operation: 'widgets.ship',
    method: 'POST',
    path: '/v1/widgets/:id/ship',
    handler: (req, ctx) => {
      const widget = ctx.state.widgets.get(req.params.id!)
      if (!widget) throw new ProviderError(error(404, 'not_found', `No such widget: ${req.params.id}`, 'id'))
      widget.shipped = true
      ctx.webhooks.emit({ type: 'widget.shipped', payload: { type: 'widget.shipped', data: widget } })
      return { status: 200, body: widget }
    },
  }),
  route({
    operation: 'webhook_endpoints.create',
    method: 'POST',
    path: '/v1/webhook_endpoints',
    input: z.strictObject({ url: z.url(), events: z.array(z.string()).optional() }),
    handler: (_req, ctx, input) => {
      const endpoint = ctx.webhooks.endpoints.add({
        url: input.url,
        secret: ctx.ids.mint('whsec_', 24),
        events: input.events,
      })
      return { status: 200, body: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret } }
    },
  }),
]

export const testkit = defineProvider<TestkitState>({
  name: 'testkit',
  defaultPort: 4799,
  createState: () => ({ widgets: new Collection<Widget>() }),
  authenticate: (req) => {
    const match = /^Bearer tk_([A-Za-z0-9_]+)$/.exec(req.headers.authorization ?? '')
    if (!match) throw new ProviderError(error(401, 'unauthorized', 'Invalid API key.'))
    return match[1]!
  },
  routes: widgets,
  errors: testkitErrors,
  responses: {
    notFound: (req) => error(404, 'unknown_route', `Unrecognized request URL (${req.method}: ${req.path}).`),
    invalidBody: (_req, problem, detail) =>
      problem === 'too-large' ? error(413, 'too_large', detail) : error(400, 'invalid_body', detail),
    invalidInput: (_req, issues) => {
      const issue = issues[0]!
      const param = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.')
      return error(
        400,
        issue.code === 'unrecognized_keys' ? 'parameter_unknown' : 'parameter_invalid',
        issue.message,
        param,
      )
    },
    internalError: () => error(500, 'server_error', 'Something went wrong.'),
  },
  bodyLimit: 64 * 1024,
  idempotency: {
    header: 'idempotency-key',
    ttlMs: 24 * 3_600_000,
    replayHeaders: { 'idempotent-replayed': 'true' },
    conflict: (_req, key) =>
      error(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with (${key}).`,
      ),
  },
  webhooks: {
    schedule: [1_000, 5_000, 30_000],
    sign: ({ endpoint, timestamp, body }) => ({
      'content-type': 'application/json',
      'testkit-signature': signTestkit(endpoint.secret, timestamp, body),
    }),
    defaultSecret: () => 'whsec_testkit',
  },
  triggers: {
    'widget.shipped': {
      summary: 'creates a widget and ships it',
      run: (ctx) => {
        const widget = ctx.state.widgets.insert({
          id: ctx.ids.mint('wid_', 14),
          object: 'widget',
          name: 'triggered',
          size: 1,
          shipped: true,
          metadata: {},
          created: ctx.clock.unix(),
        })
        return ctx.webhooks.emit({
          type: 'widget.shipped',
          payload: { type: 'widget.shipped', data: widget },
        })
      },
    },
  },
  finalize: (response, _req, { requestId }) => {
    response.headers = { ...response.headers, 'request-id': requestId }
  },
})
