import { z } from 'zod'
import { FaultRule, FaultRuleInput } from '../faults/schema.ts'
import { JournalEntry } from '../journal.ts'
import { CapturedMessage } from '../messages.ts'
import { WebhookRule, WebhookRuleInput } from '../webhooks/rules.ts'
import { WebhookDelivery, WebhookEndpoint } from '../webhooks/types.ts'
import * as s from './schemas.ts'

/**
 * The whole control plane in one table you can scan (WireMock's AdminRoutes):
 * each operation once, by a stable id, with the zod schemas of its query,
 * body and response. The server validates with them (handlers.ts is typed
 * from them), the OpenAPI document is generated from them, and the client
 * builds every call from this table, so none of them repeats a path or a shape.
 */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE'
  /** Under /_standin; `:name` params. */
  path: string
  summary: string
  tag: string
  query?: z.ZodType
  body?: z.ZodType
  response: z.ZodType
  status?: number
}

export const routes = {
  health: {
    method: 'GET',
    path: '/health',
    summary: 'Liveness, seed, clock and where each provider listens',
    tag: 'hub',
    response: s.Health,
  },
  'providers.list': {
    method: 'GET',
    path: '/providers',
    summary: 'Every provider: operations, named errors for fault rules, triggers',
    tag: 'hub',
    response: s.ProviderList,
  },
  reset: {
    method: 'POST',
    path: '/reset',
    summary:
      'Forget state, journal, rules, deliveries and messages and restart the seeded ids (all, one provider, or one account of it)',
    tag: 'hub',
    body: s.ResetBody,
    response: z.object({ reset: z.literal(true) }),
  },

  // ------------------------------------------------------------ journal
  'journal.list': {
    method: 'GET',
    path: '/journal',
    summary: 'Requests the providers received, oldest first; filter by provider, operation, path, fields',
    tag: 'journal',
    query: s.JournalQuery,
    response: s.JournalList,
  },
  'journal.wait': {
    method: 'GET',
    path: '/journal/wait',
    summary: 'The first request matching the filter (after afterSeq, else from now), waiting up to timeoutMs',
    tag: 'journal',
    query: s.JournalWaitQuery,
    response: JournalEntry,
  },
  'journal.clear': {
    method: 'DELETE',
    path: '/journal',
    summary: 'Clear the journal (all or one provider)',
    tag: 'journal',
    query: s.ProviderQuery,
    response: z.object({ cleared: z.literal(true) }),
  },

  // ------------------------------------------------------------- faults
  'faults.add': {
    method: 'POST',
    path: '/faults',
    summary: 'Add a fault rule: match → effect, with times, after, probability',
    tag: 'faults',
    body: FaultRuleInput,
    response: FaultRule,
    status: 201,
  },
  'faults.list': {
    method: 'GET',
    path: '/faults',
    summary: 'Fault rules with how often each matched and fired',
    tag: 'faults',
    query: s.ProviderQuery,
    response: s.FaultList,
  },
  'faults.get': {
    method: 'GET',
    path: '/faults/:id',
    summary: 'One fault rule',
    tag: 'faults',
    response: FaultRule,
  },
  'faults.remove': {
    method: 'DELETE',
    path: '/faults/:id',
    summary: 'Remove one fault rule',
    tag: 'faults',
    response: s.Cleared,
  },
  'faults.clear': {
    method: 'DELETE',
    path: '/faults',
    summary: 'Remove every fault rule (or those of one provider)',
    tag: 'faults',
    query: s.ProviderQuery,
    response: s.Cleared,
  },

  // ------------------------------------------------------- webhook rules
  'webhooks.rules.add': {
    method: 'POST',
    path: '/webhooks/rules',
    summary:
      'Add a webhook rule: duplicate, delay, drop first N attempts, reorder, bad signature, stale timestamp',
    tag: 'webhooks',
    body: WebhookRuleInput,
    response: WebhookRule,
    status: 201,
  },
  'webhooks.rules.list': {
    method: 'GET',
    path: '/webhooks/rules',
    summary: 'Webhook rules',
    tag: 'webhooks',
    response: s.WebhookRuleList,
  },
  'webhooks.rules.remove': {
    method: 'DELETE',
    path: '/webhooks/rules/:id',
    summary: 'Remove one webhook rule',
    tag: 'webhooks',
    response: s.Cleared,
  },
  'webhooks.rules.clear': {
    method: 'DELETE',
    path: '/webhooks/rules',
    summary: 'Remove every webhook rule (or those of one provider)',
    tag: 'webhooks',
    query: s.ProviderQuery,
    response: s.Cleared,
  },

  // ----------------------------------------------------------- endpoints
  'webhooks.endpoints.add': {
    method: 'POST',
    path: '/webhooks/endpoints',
    summary: "Register where a provider's events go (for providers whose endpoints live in a dashboard)",
    tag: 'webhooks',
    body: s.EndpointBody,
    response: WebhookEndpoint,
    status: 201,
  },
  'webhooks.endpoints.list': {
    method: 'GET',
    path: '/webhooks/endpoints',
    summary: 'Registered endpoints, by config and by provider API',
    tag: 'webhooks',
    query: s.EndpointsQuery,
    response: s.EndpointList,
  },
  'webhooks.endpoints.remove': {
    method: 'DELETE',
    path: '/webhooks/endpoints/:id',
    summary: 'Remove an endpoint',
    tag: 'webhooks',
    response: s.Cleared,
  },

  // ------------------------------------------------------------- events
  'webhooks.events.list': {
    method: 'GET',
    path: '/webhooks/events',
    summary: 'Events the providers emitted, newest first',
    tag: 'webhooks',
    query: s.EventsQuery,
    response: s.EventList,
  },
  'webhooks.events.send': {
    method: 'POST',
    path: '/webhooks/events',
    summary:
      'Send an event on demand: run a provider trigger (a CLI-style `trigger <event>`) or emit a payload as is',
    tag: 'webhooks',
    body: s.SendEventBody,
    response: s.SendEventResult,
    status: 201,
  },

  // --------------------------------------------------------- deliveries
  'webhooks.deliveries.list': {
    method: 'GET',
    path: '/webhooks/deliveries',
    summary: 'Webhook deliveries with every attempt (status, timing, headers sent), newest first',
    tag: 'webhooks',
    query: s.DeliveriesQuery,
    response: s.DeliveryList,
  },
  'webhooks.deliveries.wait': {
    method: 'GET',
    path: '/webhooks/deliveries/wait',
    summary: 'The first delivery matching the query (status, minAttempts...), waiting up to timeoutMs',
    tag: 'webhooks',
    query: s.DeliveriesWaitQuery,
    response: WebhookDelivery,
  },
  'webhooks.deliveries.get': {
    method: 'GET',
    path: '/webhooks/deliveries/:id',
    summary: 'One delivery',
    tag: 'webhooks',
    response: WebhookDelivery,
  },
  'webhooks.deliveries.redeliver': {
    method: 'POST',
    path: '/webhooks/deliveries/:id/redeliver',
    summary: 'Send a delivered or failed event again now (a manual attempt)',
    tag: 'webhooks',
    response: WebhookDelivery,
    status: 202,
  },

  // ----------------------------------------------------------- messages
  'messages.list': {
    method: 'GET',
    path: '/messages',
    summary:
      'Captured SMS, Kakao and email, newest first; by recipient (any phone format), channel, provider',
    tag: 'inbox',
    query: s.MessagesQuery,
    response: s.MessageList,
  },
  'messages.wait': {
    method: 'GET',
    path: '/messages/wait',
    summary: 'The newest matching message, waiting up to timeoutMs for one (use since= to skip older ones)',
    tag: 'inbox',
    query: s.MessagesWaitQuery,
    response: CapturedMessage,
  },
  'messages.code': {
    method: 'GET',
    path: '/messages/code',
    summary: 'The one-time code in the newest message to a recipient, waiting up to timeoutMs',
    tag: 'inbox',
    query: s.CodeQuery,
    response: s.CodeResult,
  },
  'messages.links': {
    method: 'GET',
    path: '/messages/links',
    summary:
      'The links in the newest message to a recipient (email verification links), waiting up to timeoutMs',
    tag: 'inbox',
    query: s.CodeQuery,
    response: s.LinksResult,
  },
  'messages.clear': {
    method: 'DELETE',
    path: '/messages',
    summary: 'Clear captured messages (all or one provider)',
    tag: 'inbox',
    query: s.ProviderQuery,
    response: z.object({ cleared: z.literal(true) }),
  },

  // -------------------------------------------------------------- clock
  'clock.get': {
    method: 'GET',
    path: '/clock',
    summary: 'Virtual time, scale and pending timers',
    tag: 'clock',
    response: s.ClockState,
  },
  'clock.advance': {
    method: 'POST',
    path: '/clock/advance',
    summary: 'Move virtual time forward, firing due retries, renewals and lifecycles',
    tag: 'clock',
    body: s.AdvanceBody,
    response: s.ClockState,
  },
  'clock.scale': {
    method: 'POST',
    path: '/clock/scale',
    summary: 'Virtual ms per real ms (3600: a provider-hour per second; 0 freezes time)',
    tag: 'clock',
    body: s.ScaleBody,
    response: s.ClockState,
  },
  'clock.set': {
    method: 'POST',
    path: '/clock/set',
    summary: 'Set virtual time',
    tag: 'clock',
    body: s.SetClockBody,
    response: s.ClockState,
  },

  // ------------------------------------------------------------ presets
  'presets.list': {
    method: 'GET',
    path: '/presets',
    summary: 'Named fault bundles from scenarios/presets/',
    tag: 'presets',
    response: s.PresetList,
  },
  'presets.apply': {
    method: 'POST',
    path: '/presets/:name/apply',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: presets hold literal ${var} placeholders
    summary: "Add a preset's fault and webhook rules, with its ${vars} filled in",
    tag: 'presets',
    body: s.ApplyPresetBody,
    response: s.AppliedPreset,
    status: 201,
  },
} as const satisfies Record<string, RouteSpec>

export type Routes = typeof routes
export type RouteId = keyof Routes

/** `/faults/:id` → `{ id: string }`; `/health` → `{}`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>

type SchemaOf<K extends RouteId, Part extends 'query' | 'body'> = Routes[K] extends {
  [P in Part]: infer S extends z.ZodType
}
  ? S
  : undefined

/**
 * What a caller writes for a query: the schema's input, except that a field
 * the server coerces from text (`limit`, `timeoutMs`) takes its parsed type
 * (zod types a coerced input as `unknown`).
 */
export type QueryInput<S extends z.ZodType> = {
  [F in keyof z.input<S>]: F extends keyof z.output<S>
    ? unknown extends z.input<S>[F]
      ? z.output<S>[F] | undefined
      : z.input<S>[F]
    : z.input<S>[F]
}

/** What the server's handler receives for route K: parsed query and body, and the path's params. */
export interface HandlerInput<K extends RouteId> {
  query: SchemaOf<K, 'query'> extends z.ZodType ? z.output<SchemaOf<K, 'query'>> : undefined
  body: SchemaOf<K, 'body'> extends z.ZodType ? z.output<SchemaOf<K, 'body'>> : undefined
  params: PathParams<Routes[K]['path']>
}

/** What a client sends for route K (only the parts the route has). */
export type RouteInput<K extends RouteId> = (keyof PathParams<Routes[K]['path']> extends never
  ? unknown
  : { params: PathParams<Routes[K]['path']> }) &
  (SchemaOf<K, 'query'> extends z.ZodType ? { query: QueryInput<SchemaOf<K, 'query'>> } : unknown) &
  (SchemaOf<K, 'body'> extends z.ZodType ? { body: z.input<SchemaOf<K, 'body'>> } : unknown)

/** What route K answers (parsed JSON). */
export type RouteOutput<K extends RouteId> = z.output<Routes[K]['response']>

export const routeIds = Object.keys(routes) as RouteId[]
