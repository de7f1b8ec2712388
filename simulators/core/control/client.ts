import type { FaultRule, FaultRuleInput } from '../faults/schema.ts'
import { type RouteId, type RouteInput, type RouteOutput, routes } from './routes.ts'

/** A fetch-like function: global fetch over HTTP, or an in-process one (fastify inject). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number
  text(): Promise<string>
}>

/** A control-plane error answered by the hub, with its stable code and the field at fault. */
export class StandinClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'StandinClientError'
  }
}

/**
 * The typed client of the control plane, used by the CLI, the journeys and
 * users' own tests. One interface over HTTP (`new StandinClient({ url })`) and
 * in-process (`new StandinClient({ fetch: injectFetch(app) })`).
 *
 * @example
 * const standin = new StandinClient({ url: 'http://127.0.0.1:4700' })
 * await standin.faults.during(
 *   { match: { provider: 'payments', operation: 'charges.create' }, effect: { type: 'provider-error', error: 'card_declined' } },
 *   async () => { await checkout() },
 * )
 * const { code } = await standin.messages.code({ to: '+821012345678' })
 */
export class StandinClient {
  private readonly base: string
  private readonly fetcher: FetchLike
  private readonly token: string | undefined

  /** `token`: the hub's control-plane token (default env STANDIN_CONTROL_TOKEN), sent as a Bearer header. */
  constructor(options: { url?: string; fetch?: FetchLike; token?: string } = {}) {
    this.base = (options.url ?? process.env.STANDIN_URL ?? 'http://127.0.0.1:4700').replace(/\/$/, '')
    this.fetcher = options.fetch ?? (globalThis.fetch as unknown as FetchLike)
    this.token = options.token ?? (process.env.STANDIN_CONTROL_TOKEN || undefined)
  }

  health = () => this.call('health', {})
  providers = () => this.call('providers.list', {})
  reset = (body: Body<'reset'> = {}) => this.call('reset', { body })

  readonly journal = {
    list: (filter: Query<'journal.list'> = {}) => this.call('journal.list', { query: filter }),
    wait: (filter: Query<'journal.wait'>) => this.call('journal.wait', { query: filter }),
    clear: (provider?: string) => this.call('journal.clear', { query: { provider } }),
  }

  readonly faults = {
    add: (rule: Body<'faults.add'>) => this.call('faults.add', { body: rule }),
    list: (provider?: string) => this.call('faults.list', { query: { provider } }).then((r) => r.rules),
    get: (id: string) => this.call('faults.get', { params: { id } }),
    remove: (id: string) => this.call('faults.remove', { params: { id } }),
    clear: (provider?: string) => this.call('faults.clear', { query: { provider } }),
    /** Adds a rule for the length of `fn` and removes it afterwards, even when `fn` throws (toxiproxy's `down do`). */
    during: async <T>(rule: FaultRuleInput, fn: (rule: FaultRule) => Promise<T>): Promise<T> => {
      const added = await this.faults.add(rule)
      try {
        return await fn(added)
      } finally {
        await this.faults.remove(added.id).catch(() => undefined)
      }
    },
  }

  readonly webhooks = {
    rules: {
      add: (rule: Body<'webhooks.rules.add'>) => this.call('webhooks.rules.add', { body: rule }),
      list: () => this.call('webhooks.rules.list', {}).then((r) => r.rules),
      remove: (id: string) => this.call('webhooks.rules.remove', { params: { id } }),
      clear: (provider?: string) => this.call('webhooks.rules.clear', { query: { provider } }),
    },
    endpoints: {
      add: (body: Body<'webhooks.endpoints.add'>) => this.call('webhooks.endpoints.add', { body }),
      list: (query: Query<'webhooks.endpoints.list'> = {}) =>
        this.call('webhooks.endpoints.list', { query }).then((r) => r.endpoints),
      remove: (id: string) => this.call('webhooks.endpoints.remove', { params: { id } }),
    },
    events: {
      list: (query: Query<'webhooks.events.list'> = {}) =>
        this.call('webhooks.events.list', { query }).then((r) => r.events),
      /** Runs a provider trigger (a CLI-style `trigger <event>`), or emits `payload` as is. */
      send: (body: Body<'webhooks.events.send'>) => this.call('webhooks.events.send', { body }),
    },
    deliveries: {
      list: (query: Query<'webhooks.deliveries.list'> = {}) =>
        this.call('webhooks.deliveries.list', { query }).then((r) => r.deliveries),
      get: (id: string) => this.call('webhooks.deliveries.get', { params: { id } }),
      wait: (query: Query<'webhooks.deliveries.wait'>) => this.call('webhooks.deliveries.wait', { query }),
      redeliver: (id: string) => this.call('webhooks.deliveries.redeliver', { params: { id } }),
    },
  }

  readonly messages = {
    list: (filter: Query<'messages.list'> = {}) =>
      this.call('messages.list', { query: filter }).then((r) => r.messages),
    wait: (filter: Query<'messages.wait'>) => this.call('messages.wait', { query: filter }),
    /** The OTP in the newest message to `to`, waiting for one to arrive. */
    code: (filter: Query<'messages.code'>) => this.call('messages.code', { query: filter }),
    links: (filter: Query<'messages.links'>) => this.call('messages.links', { query: filter }),
    clear: (provider?: string) => this.call('messages.clear', { query: { provider } }),
  }

  readonly clock = {
    get: () => this.call('clock.get', {}),
    /** `by`: ms or '90s', '15m', '2h', '3d'. */
    advance: (by: Body<'clock.advance'>['by']) => this.call('clock.advance', { body: { by } }),
    scale: (scale: Body<'clock.scale'>['scale']) => this.call('clock.scale', { body: { scale } }),
    /** `time`: epoch ms or ISO 8601. */
    set: (time: Body<'clock.set'>['time']) => this.call('clock.set', { body: { time } }),
  }

  readonly presets = {
    list: () => this.call('presets.list', {}).then((r) => r.presets),
    apply: (name: string, vars: Record<string, string> = {}) =>
      this.call('presets.apply', { params: { name }, body: { vars } }),
  }

  /**
   * Any control-plane operation by its route id, with the input its schemas
   * take and the answer they describe; the method and path come from the table.
   * @example await standin.call('faults.get', { params: { id: 'fault_1' } })
   */
  async call<K extends RouteId>(id: K, input: RouteInput<K>): Promise<RouteOutput<K>> {
    const spec = routes[id]
    const { params, query, body } = input as {
      params?: Record<string, string>
      query?: Record<string, unknown>
      body?: unknown
    }
    const path = spec.path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
      encodeURIComponent(params?.[name] ?? ''),
    )
    const url = `${this.base}/_standin${path}${toQueryString(query)}`
    const init: Parameters<FetchLike>[1] = { method: spec.method, headers: { accept: 'application/json' } }
    if (this.token) init.headers.authorization = `Bearer ${this.token}`
    if ('body' in spec) {
      init.headers['content-type'] = 'application/json'
      init.body = JSON.stringify(body ?? {})
    }
    let response: Awaited<ReturnType<FetchLike>>
    try {
      response = await this.fetcher(url, init)
    } catch (error) {
      throw new StandinClientError(
        0,
        'STANDIN_UNREACHABLE',
        `Failed to reach the standin hub at ${this.base}: ${(error as Error).message}. Is \`standin up\` running?`,
      )
    }
    const text = await response.text()
    const json = text ? JSON.parse(text) : undefined
    if (response.status >= 400) {
      const e = json?.error ?? {}
      throw new StandinClientError(response.status, e.code ?? 'STANDIN_ERROR', e.message ?? text, e.field)
    }
    return json as RouteOutput<K>
  }
}

type Query<K extends RouteId> = RouteInput<K> extends { query: infer Q } ? Q : never
type Body<K extends RouteId> = RouteInput<K> extends { body: infer B } ? B : never

function toQueryString(query: Record<string, unknown> | undefined): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) params.append(`${key}[${k}]`, String(v))
    else params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** An in-process FetchLike over a fastify app (no port): the same client, no network. */
export function injectFetch(app: {
  inject(options: {
    method: string
    url: string
    headers: Record<string, string>
    payload?: string
  }): Promise<{
    statusCode: number
    body: string
  }>
}): FetchLike {
  return async (url, init) => {
    const { pathname, search } = new URL(url)
    const response = await app.inject({
      method: init.method,
      url: pathname + search,
      headers: init.headers,
      ...(init.body !== undefined ? { payload: init.body } : {}),
    })
    return { status: response.statusCode, text: async () => response.body }
  }
}
