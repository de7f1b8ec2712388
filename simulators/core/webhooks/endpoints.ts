import type { VirtualClock } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import type { IdMinter } from '../random.ts'
import type { AccountWebhooks, WebhookEndpoint, WebhookEvent, WebhookSpec } from './types.ts'

/** A config endpoint registered for this account name receives the events of every account. */
export const ANY_ACCOUNT = '*'

export interface AddEndpointInput {
  provider: string
  account: string
  url: string
  secret?: string | undefined
  events?: string[] | undefined
  source: WebhookEndpoint['source']
  meta?: Record<string, unknown> | undefined
  id?: string | undefined
}

/** Where events go: endpoints registered by a provider's own API or by config. */
export class EndpointRegistry {
  private readonly endpoints = new Map<string, WebhookEndpoint>()

  constructor(
    private readonly options: {
      clock: VirtualClock
      ids: IdMinter
      spec: (provider: string) => WebhookSpec | undefined
    },
  ) {}

  add(input: AddEndpointInput): WebhookEndpoint {
    const refuse = (field: string, why: string) =>
      new HarnessError('STANDIN_BAD_REQUEST', `Failed to add webhook endpoint: ${why}`, { field })
    const spec = this.options.spec(input.provider)
    if (!spec) throw refuse('provider', `provider '${input.provider}' sends no webhooks.`)
    try {
      new URL(input.url)
    } catch {
      throw refuse('url', `'${input.url}' is not a URL.`)
    }
    const secret = input.secret ?? spec.defaultSecret?.(input.account)
    if (!secret) throw refuse('secret', `${input.provider} endpoints need a secret.`)
    const endpoint: WebhookEndpoint = {
      id: input.id ?? this.options.ids.mint('we_', 16),
      provider: input.provider,
      account: input.account,
      url: input.url,
      secret,
      events: input.events ?? ['*'],
      source: input.source,
      enabled: true,
      createdAt: Math.floor(this.options.clock.now()),
      meta: input.meta ?? {},
    }
    this.endpoints.set(endpoint.id, endpoint)
    return endpoint
  }

  /** One pass, no copy of the whole registry: Stripe asks this for every event it records (to count `pending_webhooks`). */
  list(
    filter: {
      provider?: string | undefined
      account?: string | undefined
      source?: WebhookEndpoint['source']
    } = {},
  ): WebhookEndpoint[] {
    const out: WebhookEndpoint[] = []
    for (const e of this.endpoints.values())
      if (
        (!filter.provider || e.provider === filter.provider) &&
        (!filter.account || e.account === filter.account) &&
        (!filter.source || e.source === filter.source)
      )
        out.push(e)
    return out
  }

  get(id: string): WebhookEndpoint | undefined {
    return this.endpoints.get(id)
  }

  remove(id: string): boolean {
    return this.endpoints.delete(id)
  }

  /** The enabled endpoints of the event's provider that want it: its account's, and those registered for any account. */
  targetsOf(event: WebhookEvent): WebhookEndpoint[] {
    const out: WebhookEndpoint[] = []
    for (const e of this.endpoints.values())
      if (
        e.provider === event.provider &&
        (e.account === event.account || e.account === ANY_ACCOUNT) &&
        e.enabled &&
        (e.events.includes('*') || e.events.includes(event.type))
      )
        out.push(e)
    return out
  }

  /** Forgets the API-registered endpoints (and config ones too with `config`), of one provider or all. */
  reset(provider: string | undefined, config: boolean): void {
    for (const [id, endpoint] of this.endpoints) {
      if (provider && endpoint.provider !== provider) continue
      if (endpoint.source === 'api' || config) this.endpoints.delete(id)
    }
  }

  /** The endpoint tools of one provider and account, as its handlers see them (they see only their own API endpoints). */
  forAccount(provider: string, account: string): AccountWebhooks['endpoints'] {
    const mine = (e: WebhookEndpoint | undefined) =>
      e && e.provider === provider && e.account === account && e.source === 'api' ? e : undefined
    return {
      add: (input) => this.add({ ...input, provider, account, source: 'api' }),
      update: (id, patch) => {
        const e = mine(this.endpoints.get(id))
        if (e) Object.assign(e, patch)
        return e
      },
      remove: (id) => (mine(this.endpoints.get(id)) ? this.endpoints.delete(id) : false),
      get: (id) => mine(this.endpoints.get(id)),
      list: () => this.list({ provider, account, source: 'api' }),
    }
  }
}
