import { z } from 'zod'
import { clockRangeProblem } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import { FaultRule, FaultRuleInput } from '../faults/schema.ts'
import { JournalEntry } from '../journal.ts'
import { CapturedMessage, extractCode, extractLinks } from '../messages.ts'
import type { Core } from '../runtime.ts'
import { WebhookRule, WebhookRuleInput } from '../webhooks/rules.ts'
import { WebhookDelivery, WebhookEndpoint } from '../webhooks/types.ts'
import { fill, type Preset } from './presets.ts'
import * as s from './schemas.ts'
import { StreamedJson } from './stream.ts'

/** One control-plane operation: its shape (for validation, OpenAPI and the client) and its handler. */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'DELETE'
  /** Under /_standin; `:id` style params. */
  path: string
  summary: string
  tag: string
  query?: z.ZodType
  body?: z.ZodType
  response: z.ZodType
  status?: number
  // biome-ignore lint/suspicious/noExplicitAny: each route's query and body are what its own schemas parsed
  handler(input: { query: any; body: any; params: Record<string, string> }): unknown
}

const route = (r: ControlRoute) => r

function notFound(what: string, id: string, field = 'id'): never {
  throw new HarnessError('STANDIN_NOT_FOUND', `No ${what} '${id}'.`, { field })
}

function timeout(what: string, ms: number): never {
  throw new HarnessError('STANDIN_TIMEOUT', `Timed out after ${ms}ms waiting for ${what}.`)
}

/**
 * The whole control plane in one table you can scan (WireMock's AdminRoutes):
 * health, reset, journal, faults, webhook rules, endpoints, events,
 * deliveries, inboxes, clock, presets.
 */
export function controlRoutes(core: Core, presets: Map<string, Preset>): ControlRoute[] {
  return [
    route({
      method: 'GET',
      path: '/health',
      summary: 'Liveness, seed, clock and where each provider listens',
      tag: 'hub',
      response: s.Health,
      handler: () => ({
        status: 'ok',
        seed: core.seed,
        clock: core.clock.snapshot(),
        providers: [...core.providers.values()].map((p) => ({ name: p.name, url: p.baseUrl })),
      }),
    }),
    route({
      method: 'GET',
      path: '/providers',
      summary: 'Every provider: operations, named errors for fault rules, triggers',
      tag: 'hub',
      response: z.object({ providers: z.array(s.ProviderInfo) }),
      handler: () => ({
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
    }),
    route({
      method: 'POST',
      path: '/reset',
      summary:
        'Forget state, journal, rules, deliveries and messages (all, one provider, or one account of it)',
      tag: 'hub',
      body: s.ResetBody,
      response: z.object({ reset: z.literal(true) }),
      handler: ({ body }) => {
        // core.reset refuses an unknown provider with a 400 naming the field.
        core.reset(body)
        return { reset: true }
      },
    }),

    // ------------------------------------------------------------ journal
    route({
      method: 'GET',
      path: '/journal',
      summary: 'Requests the providers received, oldest first; filter by provider, operation, path, fields',
      tag: 'journal',
      query: s.JournalQuery,
      response: s.JournalList,
      // Streamed: a listing of thousands of large entries must not hold the event loop (issue 10 #4).
      handler: ({ query }) =>
        new StreamedJson('entries', core.journal.list(query), { lastSeq: core.journal.lastSeq }),
    }),
    route({
      method: 'GET',
      path: '/journal/wait',
      summary:
        'The first request matching the filter (after afterSeq, else from now), waiting up to timeoutMs',
      tag: 'journal',
      query: s.JournalWaitQuery,
      response: JournalEntry,
      handler: async ({ query }) => {
        const { timeoutMs, ...filter } = query
        return (await core.journal.waitFor(filter, timeoutMs)) ?? timeout('a matching request', timeoutMs)
      },
    }),
    route({
      method: 'DELETE',
      path: '/journal',
      summary: 'Clear the journal (all or one provider)',
      tag: 'journal',
      query: s.ProviderQuery,
      response: z.object({ cleared: z.literal(true) }),
      handler: ({ query }) => {
        core.journal.clear(query.provider)
        return { cleared: true }
      },
    }),

    // ------------------------------------------------------------- faults
    route({
      method: 'POST',
      path: '/faults',
      summary: 'Add a fault rule: match → effect, with times, after, probability',
      tag: 'faults',
      body: FaultRuleInput,
      response: FaultRule,
      status: 201,
      handler: ({ body }) => core.faults.add(body),
    }),
    route({
      method: 'GET',
      path: '/faults',
      summary: 'Fault rules with how often each matched and fired',
      tag: 'faults',
      query: s.ProviderQuery,
      response: s.FaultList,
      handler: ({ query }) => ({ rules: core.faults.list(query.provider) }),
    }),
    route({
      method: 'GET',
      path: '/faults/:id',
      summary: 'One fault rule',
      tag: 'faults',
      response: FaultRule,
      handler: ({ params }) => core.faults.get(params.id!) ?? notFound('fault rule', params.id!),
    }),
    route({
      method: 'DELETE',
      path: '/faults/:id',
      summary: 'Remove one fault rule',
      tag: 'faults',
      response: s.Cleared,
      handler: ({ params }) =>
        core.faults.remove(params.id!) ? { removed: 1 } : notFound('fault rule', params.id!),
    }),
    route({
      method: 'DELETE',
      path: '/faults',
      summary: 'Remove every fault rule (or those of one provider)',
      tag: 'faults',
      query: s.ProviderQuery,
      response: s.Cleared,
      handler: ({ query }) => ({ removed: core.faults.clear(query.provider) }),
    }),

    // ------------------------------------------------------- webhook rules
    route({
      method: 'POST',
      path: '/webhooks/rules',
      summary:
        'Add a webhook rule: duplicate, delay, drop first N attempts, reorder, bad signature, stale timestamp',
      tag: 'webhooks',
      body: WebhookRuleInput,
      response: WebhookRule,
      status: 201,
      handler: ({ body }) => core.webhooks.addRule(body),
    }),
    route({
      method: 'GET',
      path: '/webhooks/rules',
      summary: 'Webhook rules',
      tag: 'webhooks',
      response: s.WebhookRuleList,
      handler: () => ({ rules: core.webhooks.listRules() }),
    }),
    route({
      method: 'DELETE',
      path: '/webhooks/rules/:id',
      summary: 'Remove one webhook rule',
      tag: 'webhooks',
      response: s.Cleared,
      handler: ({ params }) =>
        core.webhooks.removeRule(params.id!) ? { removed: 1 } : notFound('webhook rule', params.id!),
    }),
    route({
      method: 'DELETE',
      path: '/webhooks/rules',
      summary: 'Remove every webhook rule (or those of one provider)',
      tag: 'webhooks',
      query: s.ProviderQuery,
      response: s.Cleared,
      handler: ({ query }) => {
        const before = core.webhooks.listRules().length
        core.webhooks.clearRules(query.provider)
        return { removed: before - core.webhooks.listRules().length }
      },
    }),

    // ----------------------------------------------------------- endpoints
    route({
      method: 'POST',
      path: '/webhooks/endpoints',
      summary: "Register where a provider's events go (for providers whose endpoints live in a dashboard)",
      tag: 'webhooks',
      body: s.EndpointBody,
      response: WebhookEndpoint,
      status: 201,
      handler: ({ body }) => {
        core.provider(body.provider)
        return core.webhooks.addEndpoint({ ...body, source: 'config' })
      },
    }),
    route({
      method: 'GET',
      path: '/webhooks/endpoints',
      summary: 'Registered endpoints, by config and by provider API',
      tag: 'webhooks',
      query: z.object({ provider: z.string().optional(), account: z.string().optional() }),
      response: s.EndpointList,
      handler: ({ query }) => ({ endpoints: core.webhooks.listEndpoints(query) }),
    }),
    route({
      method: 'DELETE',
      path: '/webhooks/endpoints/:id',
      summary: 'Remove an endpoint',
      tag: 'webhooks',
      response: s.Cleared,
      handler: ({ params }) =>
        core.webhooks.removeEndpoint(params.id!) ? { removed: 1 } : notFound('endpoint', params.id!),
    }),

    // ------------------------------------------------------------- events
    route({
      method: 'GET',
      path: '/webhooks/events',
      summary: 'Events the providers emitted, newest first',
      tag: 'webhooks',
      query: s.EventsQuery,
      response: s.EventList,
      handler: ({ query }) => ({ events: core.webhooks.listEvents(query) }),
    }),
    route({
      method: 'POST',
      path: '/webhooks/events',
      summary:
        'Send an event on demand: run a provider trigger (a CLI-style `trigger <event>`) or emit a payload as is',
      tag: 'webhooks',
      body: s.SendEventBody,
      response: s.SendEventResult,
      status: 201,
      handler: async ({ body }) => {
        const runtime = core.provider(body.provider)
        if (body.payload !== undefined) {
          if (!runtime.definition.webhooks)
            throw new HarnessError(
              'STANDIN_BAD_REQUEST',
              `Failed to send event: ${body.provider} sends no webhooks.`,
              { field: 'provider' },
            )
          // The event keeps the id its payload carries (or the one given), so deliveries are found by it.
          const ownId =
            body.id ??
            (body.payload && typeof body.payload === 'object' && typeof body.payload.id === 'string'
              ? (body.payload.id as string)
              : undefined)
          return {
            result: core.webhooks.emit(body.provider, body.account, {
              type: body.event,
              payload: body.payload,
              ...(ownId ? { id: ownId } : {}),
            }),
          }
        }
        return { result: await runtime.trigger(body.event, body.account, body.params) }
      },
    }),

    // --------------------------------------------------------- deliveries
    route({
      method: 'GET',
      path: '/webhooks/deliveries',
      summary: 'Webhook deliveries with every attempt (status, timing, headers sent), newest first',
      tag: 'webhooks',
      query: s.DeliveriesQuery,
      response: s.DeliveryList,
      handler: ({ query }) => ({ deliveries: core.webhooks.listDeliveries(query) }),
    }),
    route({
      method: 'GET',
      path: '/webhooks/deliveries/wait',
      summary: 'The first delivery matching the query (status, minAttempts...), waiting up to timeoutMs',
      tag: 'webhooks',
      query: s.DeliveriesWaitQuery,
      response: WebhookDelivery,
      handler: async ({ query }) => {
        const { timeoutMs, ...filter } = query
        return (await core.webhooks.waitFor(filter, timeoutMs)) ?? timeout('a matching delivery', timeoutMs)
      },
    }),
    route({
      method: 'GET',
      path: '/webhooks/deliveries/:id',
      summary: 'One delivery',
      tag: 'webhooks',
      response: WebhookDelivery,
      handler: ({ params }) => core.webhooks.getDelivery(params.id!) ?? notFound('delivery', params.id!),
    }),
    route({
      method: 'POST',
      path: '/webhooks/deliveries/:id/redeliver',
      summary: 'Send a delivered or failed event again now (a manual attempt)',
      tag: 'webhooks',
      response: WebhookDelivery,
      status: 202,
      handler: ({ params }) => core.webhooks.redeliver(params.id!),
    }),

    // ----------------------------------------------------------- messages
    route({
      method: 'GET',
      path: '/messages',
      summary:
        'Captured SMS, Kakao and email, newest first; by recipient (any phone format), channel, provider',
      tag: 'inbox',
      query: s.MessagesQuery,
      response: s.MessageList,
      handler: ({ query }) => ({ messages: core.inbox.list(query) }),
    }),
    route({
      method: 'GET',
      path: '/messages/wait',
      summary: 'The newest matching message, waiting up to timeoutMs for one (use since= to skip older ones)',
      tag: 'inbox',
      query: s.MessagesWaitQuery,
      response: CapturedMessage,
      handler: async ({ query }) => {
        const { timeoutMs, ...filter } = query
        return (
          (await core.inbox.waitFor(filter, timeoutMs)) ??
          timeout(`a message to ${filter.to ?? 'anyone'}`, timeoutMs)
        )
      },
    }),
    route({
      method: 'GET',
      path: '/messages/code',
      summary: 'The one-time code in the newest message to a recipient, waiting up to timeoutMs',
      tag: 'inbox',
      query: s.CodeQuery,
      response: s.CodeResult,
      handler: async ({ query }) => {
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
    }),
    route({
      method: 'GET',
      path: '/messages/links',
      summary:
        'The links in the newest message to a recipient (email verification links), waiting up to timeoutMs',
      tag: 'inbox',
      query: s.CodeQuery,
      response: s.LinksResult,
      handler: async ({ query }) => {
        const { timeoutMs, ...filter } = query
        const message =
          (await core.inbox.waitFor(filter, timeoutMs)) ?? timeout(`a message to ${filter.to}`, timeoutMs)
        return { links: extractLinks(message), message }
      },
    }),
    route({
      method: 'DELETE',
      path: '/messages',
      summary: 'Clear captured messages (all or one provider)',
      tag: 'inbox',
      query: s.ProviderQuery,
      response: z.object({ cleared: z.literal(true) }),
      handler: ({ query }) => {
        core.inbox.clear(query.provider ? { provider: query.provider } : {})
        return { cleared: true }
      },
    }),

    // -------------------------------------------------------------- clock
    route({
      method: 'GET',
      path: '/clock',
      summary: 'Virtual time, scale and pending timers',
      tag: 'clock',
      response: s.ClockState,
      handler: () => core.clock.snapshot(),
    }),
    route({
      method: 'POST',
      path: '/clock/advance',
      summary: 'Move virtual time forward, firing due retries, renewals and lifecycles',
      tag: 'clock',
      body: s.AdvanceBody,
      response: s.ClockState,
      handler: async ({ body }) => {
        const target = core.clock.now() + body.by
        const problem = clockRangeProblem(target)
        if (problem)
          throw new HarnessError('STANDIN_BAD_REQUEST', `Invalid body: by: advancing that far: ${problem}.`, {
            field: 'by',
          })
        // Everything due within the span runs, in order, each from its own due time, before this answers.
        await core.clock.advanceAsync(body.by)
        return core.clock.snapshot()
      },
    }),
    route({
      method: 'POST',
      path: '/clock/scale',
      summary: 'Virtual ms per real ms (3600: a provider-hour per second; 0 freezes time)',
      tag: 'clock',
      body: s.ScaleBody,
      response: s.ClockState,
      handler: ({ body }) => {
        core.clock.setScale(body.scale)
        return core.clock.snapshot()
      },
    }),
    route({
      method: 'POST',
      path: '/clock/set',
      summary: 'Set virtual time',
      tag: 'clock',
      body: s.SetClockBody,
      response: s.ClockState,
      handler: async ({ body }) => {
        await core.clock.setAsync(body.time)
        return core.clock.snapshot()
      },
    }),

    // ------------------------------------------------------------ presets
    route({
      method: 'GET',
      path: '/presets',
      summary: 'Named fault bundles from scenarios/presets/',
      tag: 'presets',
      response: s.PresetList,
      handler: () => ({
        presets: [...presets.values()].map((p) => ({
          name: p.name,
          description: p.description,
          vars: p.vars,
        })),
      }),
    }),
    route({
      method: 'POST',
      path: '/presets/:name/apply',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: presets hold literal ${var} placeholders
      summary: "Add a preset's fault and webhook rules, with its ${vars} filled in",
      tag: 'presets',
      body: s.ApplyPresetBody,
      response: s.AppliedPreset,
      status: 201,
      handler: ({ params, body }) => {
        const preset = presets.get(params.name!)
        if (!preset)
          throw new HarnessError(
            'STANDIN_BAD_REQUEST',
            `Unknown preset '${params.name}'. Known: ${[...presets.keys()].join(', ') || 'none'}.`,
            {
              field: 'name',
            },
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
    }),
  ]
}
