import { clockRangeProblem } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import { extractCode, extractLinks } from '../messages.ts'
import type { Core } from '../runtime.ts'
import { fill, type Preset } from './presets.ts'
import type { HandlerInput, RouteId, RouteOutput } from './routes.ts'
import { StreamedJson } from './stream.ts'

/** A handler per route id, its input and answer typed from the route's schemas (routes.ts). */
export type ControlHandlers = {
  [K in RouteId]: (
    input: HandlerInput<K>,
  ) => RouteOutput<K> | StreamedJson | Promise<RouteOutput<K> | StreamedJson>
}

function notFound(what: string, id: string, field = 'id'): never {
  throw new HarnessError('STANDIN_NOT_FOUND', `No ${what} '${id}'.`, { field })
}

function timeout(what: string, ms: number): never {
  throw new HarnessError('STANDIN_TIMEOUT', `Timed out after ${ms}ms waiting for ${what}.`)
}

/** What each control-plane operation does, in the order of the route table. */
export function controlHandlers(core: Core, presets: Map<string, Preset>): ControlHandlers {
  return {
    health: () => ({
      status: 'ok',
      seed: core.seed,
      clock: core.clock.snapshot(),
      providers: [...core.providers.values()].map((p) => ({ name: p.name, url: p.baseUrl })),
    }),
    'providers.list': () => ({
      providers: [...core.providers.values()].map((p) => ({
        name: p.name,
        title: p.definition.title ?? p.name,
        url: p.baseUrl,
        operations: p.definition.routes.map((r) => ({
          operation: r.operation,
          method: r.method,
          path: r.path,
        })),
        errors: Object.entries(p.definition.errors).map(([name, e]) => ({ name, summary: e.summary })),
        triggers: Object.entries(p.definition.triggers ?? {}).map(([name, t]) => ({
          name,
          summary: t.summary,
        })),
        webhooks: p.definition.webhooks !== undefined,
      })),
    }),
    reset: ({ body }) => {
      // core.reset refuses an unknown provider with a 400 naming the field.
      core.reset(body)
      return { reset: true }
    },

    // Streamed: a listing of thousands of large entries must not hold the event loop (issue 10 #4).
    'journal.list': ({ query }) =>
      new StreamedJson('entries', core.journal.list(query), { lastSeq: core.journal.lastSeq }),
    'journal.wait': async ({ query }) => {
      const { timeoutMs, ...filter } = query
      return (await core.journal.waitFor(filter, timeoutMs)) ?? timeout('a matching request', timeoutMs)
    },
    'journal.clear': ({ query }) => {
      core.journal.clear(query.provider)
      return { cleared: true }
    },

    'faults.add': ({ body }) => core.faults.add(body),
    'faults.list': ({ query }) => ({ rules: core.faults.list(query.provider) }),
    'faults.get': ({ params }) => core.faults.get(params.id) ?? notFound('fault rule', params.id),
    'faults.remove': ({ params }) =>
      core.faults.remove(params.id) ? { removed: 1 } : notFound('fault rule', params.id),
    'faults.clear': ({ query }) => ({ removed: core.faults.clear(query.provider) }),

    'webhooks.rules.add': ({ body }) => core.webhooks.addRule(body),
    'webhooks.rules.list': () => ({ rules: core.webhooks.listRules() }),
    'webhooks.rules.remove': ({ params }) =>
      core.webhooks.removeRule(params.id) ? { removed: 1 } : notFound('webhook rule', params.id),
    'webhooks.rules.clear': ({ query }) => {
      const before = core.webhooks.listRules().length
      core.webhooks.clearRules(query.provider)
      return { removed: before - core.webhooks.listRules().length }
    },

    'webhooks.endpoints.add': ({ body }) => {
      core.provider(body.provider)
      return core.webhooks.addEndpoint({ ...body, source: 'config' })
    },
    'webhooks.endpoints.list': ({ query }) => ({ endpoints: core.webhooks.listEndpoints(query) }),
    'webhooks.endpoints.remove': ({ params }) =>
      core.webhooks.removeEndpoint(params.id) ? { removed: 1 } : notFound('endpoint', params.id),

    'webhooks.events.list': ({ query }) => ({ events: core.webhooks.listEvents(query) }),
    'webhooks.events.send': async ({ body }) => {
      const runtime = core.provider(body.provider)
      if (body.payload === undefined)
        return { result: await runtime.trigger(body.event, body.account, body.params) }
      if (!runtime.definition.webhooks)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Failed to send event: ${body.provider} sends no webhooks.`,
          { field: 'provider' },
        )
      // The event keeps the id its payload carries (or the one given), so deliveries are found by it.
      const payload = body.payload as { id?: unknown } | null
      const ownId = body.id ?? (payload && typeof payload.id === 'string' ? payload.id : undefined)
      return {
        result: core.webhooks.emit(body.provider, body.account, {
          type: body.event,
          payload: body.payload,
          ...(ownId ? { id: ownId } : {}),
        }),
      }
    },

    'webhooks.deliveries.list': ({ query }) => ({ deliveries: core.webhooks.listDeliveries(query) }),
    'webhooks.deliveries.wait': async ({ query }) => {
      const { timeoutMs, ...filter } = query
      return (await core.webhooks.waitFor(filter, timeoutMs)) ?? timeout('a matching delivery', timeoutMs)
    },
    'webhooks.deliveries.get': ({ params }) =>
      core.webhooks.getDelivery(params.id) ?? notFound('delivery', params.id),
    'webhooks.deliveries.redeliver': ({ params }) => core.webhooks.redeliver(params.id),

    'messages.list': ({ query }) => ({ messages: core.inbox.list(query) }),
    'messages.wait': async ({ query }) => {
      const { timeoutMs, ...filter } = query
      return (
        (await core.inbox.waitFor(filter, timeoutMs)) ??
        timeout(`a message to ${filter.to ?? 'anyone'}`, timeoutMs)
      )
    },
    'messages.code': async ({ query }) => {
      const { timeoutMs, ...filter } = query
      const message =
        (await core.inbox.waitFor(filter, timeoutMs)) ?? timeout(`a message to ${filter.to}`, timeoutMs)
      const code = extractCode(`${message.subject ?? ''}\n${message.text}`)
      if (!code)
        throw new HarnessError(
          'STANDIN_NOT_FOUND',
          `The newest message to ${filter.to} holds no code: "${message.text.slice(0, 120)}".`,
          { field: 'to' },
        )
      return { code, message }
    },
    'messages.links': async ({ query }) => {
      const { timeoutMs, ...filter } = query
      const message =
        (await core.inbox.waitFor(filter, timeoutMs)) ?? timeout(`a message to ${filter.to}`, timeoutMs)
      return { links: extractLinks(message), message }
    },
    'messages.clear': ({ query }) => {
      core.inbox.clear(query.provider ? { provider: query.provider } : {})
      return { cleared: true }
    },

    'clock.get': () => core.clock.snapshot(),
    'clock.advance': async ({ body }) => {
      const problem = clockRangeProblem(core.clock.now() + body.by)
      if (problem)
        throw new HarnessError('STANDIN_BAD_REQUEST', `Invalid body: by: advancing that far: ${problem}.`, {
          field: 'by',
        })
      // Everything due within the span runs, in order, each from its own due time, before this answers.
      await core.clock.advanceAsync(body.by)
      return core.clock.snapshot()
    },
    'clock.scale': ({ body }) => {
      core.clock.setScale(body.scale)
      return core.clock.snapshot()
    },
    'clock.set': async ({ body }) => {
      await core.clock.setAsync(body.time)
      return core.clock.snapshot()
    },

    'presets.list': () => ({
      presets: [...presets.values()].map((p) => ({ name: p.name, description: p.description, vars: p.vars })),
    }),
    'presets.apply': ({ params, body }) => {
      const preset = presets.get(params.name)
      if (!preset)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Unknown preset '${params.name}'. Known: ${[...presets.keys()].join(', ') || 'none'}.`,
          { field: 'name' },
        )
      if (body.vars.provider !== undefined && !core.providers.has(body.vars.provider))
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Failed to apply preset '${preset.name}': unknown provider '${body.vars.provider}'. Known: ${[...core.providers.keys()].join(', ')}.`,
          { field: 'vars.provider' },
        )
      const rules = fill(preset, body.vars)
      // All or nothing: a rule refused halfway removes those already added.
      const faults: ReturnType<typeof core.faults.add>[] = []
      const webhookRules: ReturnType<typeof core.webhooks.addRule>[] = []
      try {
        for (const rule of rules.faults) faults.push(core.faults.add(rule))
        for (const rule of rules.webhookRules) webhookRules.push(core.webhooks.addRule(rule))
      } catch (error) {
        for (const rule of faults) core.faults.remove(rule.id)
        for (const rule of webhookRules) core.webhooks.removeRule(rule.id)
        throw error
      }
      return { faults, webhookRules }
    },
  }
}
