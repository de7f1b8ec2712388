import type { z } from 'zod'
import type { FaultRule, FaultRuleInput } from '../faults/schema.ts'
import type { JournalEntry, JournalFilter } from '../journal.ts'
import type { CapturedMessage, MessageFilter } from '../messages.ts'
import type { WebhookRule, WebhookRuleInput } from '../webhooks/rules.ts'
import type { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../webhooks/types.ts'
import type * as s from './schemas.ts'

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

type Query = Record<string, unknown>

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

  constructor(options: { url?: string; fetch?: FetchLike } = {}) {
    this.base = (options.url ?? process.env.STANDIN_URL ?? 'http://127.0.0.1:4700').replace(/\/$/, '')
    this.fetcher = options.fetch ?? (globalThis.fetch as unknown as FetchLike)
  }

  health = () => this.call<z.infer<typeof s.Health>>('GET', '/health')
  providers = () => this.call<{ providers: z.infer<typeof s.ProviderInfo>[] }>('GET', '/providers')
  reset = (body: { provider?: string; account?: string } = {}) =>
    this.call<{ reset: true }>('POST', '/reset', { body })

  readonly journal = {
    list: (filter: JournalFilterInput = {}) =>
      this.call<{ entries: JournalEntry[]; lastSeq: number }>('GET', '/journal', { query: filter }),
    wait: (filter: JournalFilterInput & { timeoutMs?: number }) =>
      this.call<JournalEntry>('GET', '/journal/wait', { query: filter }),
    clear: (provider?: string) => this.call<{ cleared: true }>('DELETE', '/journal', { query: { provider } }),
  }

  readonly faults = {
    add: (rule: FaultRuleInput) => this.call<FaultRule>('POST', '/faults', { body: rule }),
    list: (provider?: string) =>
      this.call<{ rules: FaultRule[] }>('GET', '/faults', { query: { provider } }).then((r) => r.rules),
    get: (id: string) => this.call<FaultRule>('GET', `/faults/${encodeURIComponent(id)}`),
    remove: (id: string) => this.call<{ removed: number }>('DELETE', `/faults/${encodeURIComponent(id)}`),
    clear: (provider?: string) =>
      this.call<{ removed: number }>('DELETE', '/faults', { query: { provider } }),
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
      add: (rule: WebhookRuleInput) => this.call<WebhookRule>('POST', '/webhooks/rules', { body: rule }),
      list: () => this.call<{ rules: WebhookRule[] }>('GET', '/webhooks/rules').then((r) => r.rules),
      remove: (id: string) =>
        this.call<{ removed: number }>('DELETE', `/webhooks/rules/${encodeURIComponent(id)}`),
      clear: (provider?: string) =>
        this.call<{ removed: number }>('DELETE', '/webhooks/rules', { query: { provider } }),
    },
    endpoints: {
      add: (body: z.input<typeof s.EndpointBody>) =>
        this.call<WebhookEndpoint>('POST', '/webhooks/endpoints', { body }),
      list: (query: { provider?: string; account?: string } = {}) =>
        this.call<{ endpoints: WebhookEndpoint[] }>('GET', '/webhooks/endpoints', { query }).then(
          (r) => r.endpoints,
        ),
      remove: (id: string) =>
        this.call<{ removed: number }>('DELETE', `/webhooks/endpoints/${encodeURIComponent(id)}`),
    },
    events: {
      list: (query: Partial<z.infer<typeof s.EventsQuery>> = {}) =>
        this.call<{ events: WebhookEvent[] }>('GET', '/webhooks/events', { query }).then((r) => r.events),
      /** Runs a provider trigger (a CLI-style `trigger <event>`), or emits `payload` as is. */
      send: (body: z.input<typeof s.SendEventBody>) =>
        this.call<{ result: unknown }>('POST', '/webhooks/events', { body }),
    },
    deliveries: {
      list: (query: DeliveriesQueryInput = {}) =>
        this.call<{ deliveries: WebhookDelivery[] }>('GET', '/webhooks/deliveries', { query }).then(
          (r) => r.deliveries,
        ),
      get: (id: string) =>
        this.call<WebhookDelivery>('GET', `/webhooks/deliveries/${encodeURIComponent(id)}`),
      wait: (query: DeliveriesQueryInput & { timeoutMs?: number }) =>
        this.call<WebhookDelivery>('GET', '/webhooks/deliveries/wait', { query }),
      redeliver: (id: string) =>
        this.call<WebhookDelivery>('POST', `/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`),
    },
  }

  readonly messages = {
    list: (filter: MessageFilterInput = {}) =>
      this.call<{ messages: CapturedMessage[] }>('GET', '/messages', { query: filter }).then(
        (r) => r.messages,
      ),
    wait: (filter: MessageFilterInput & { timeoutMs?: number }) =>
      this.call<CapturedMessage>('GET', '/messages/wait', { query: filter }),
    /** The OTP in the newest message to `to`, waiting for one to arrive. */
    code: (filter: MessageFilterInput & { to: string; timeoutMs?: number }) =>
      this.call<{ code: string; message: CapturedMessage }>('GET', '/messages/code', { query: filter }),
    links: (filter: MessageFilterInput & { to: string; timeoutMs?: number }) =>
      this.call<{ links: string[]; message: CapturedMessage }>('GET', '/messages/links', { query: filter }),
    clear: (provider?: string) =>
      this.call<{ cleared: true }>('DELETE', '/messages', { query: { provider } }),
  }

  readonly clock = {
    get: () => this.call<ClockState>('GET', '/clock'),
    /** `by`: ms or '90s', '15m', '2h', '3d'. */
    advance: (by: number | string) => this.call<ClockState>('POST', '/clock/advance', { body: { by } }),
    scale: (scale: number) => this.call<ClockState>('POST', '/clock/scale', { body: { scale } }),
    set: (time: number | string) => this.call<ClockState>('POST', '/clock/set', { body: { time } }),
  }

  readonly presets = {
    list: () => this.call<z.infer<typeof s.PresetList>>('GET', '/presets').then((r) => r.presets),
    apply: (name: string, vars: Record<string, string> = {}) =>
      this.call<{ faults: FaultRule[]; webhookRules: WebhookRule[] }>(
        'POST',
        `/presets/${encodeURIComponent(name)}/apply`,
        { body: { vars } },
      ),
  }

  private async call<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const url = `${this.base}/_standin${path}${toQueryString(options.query)}`
    const init: Parameters<FetchLike>[1] = { method, headers: { accept: 'application/json' } }
    if (options.body !== undefined) {
      init.headers['content-type'] = 'application/json'
      init.body = JSON.stringify(options.body)
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
    return json as T
  }
}

type ClockState = z.infer<typeof s.ClockState>
type JournalFilterInput = Partial<JournalFilter>
type MessageFilterInput = Partial<MessageFilter>
type DeliveriesQueryInput = Partial<z.infer<typeof s.DeliveriesQuery>>

function toQueryString(query: Query | undefined): string {
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
