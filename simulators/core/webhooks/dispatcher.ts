import { isoTime, type VirtualClock } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import { compileMatch } from '../faults/matcher.ts'
import type { Logger } from '../provider.ts'
import type { IdMinter } from '../random.ts'
import { type WebhookEffect, type WebhookRule, WebhookRuleInput } from './rules.ts'
import type {
  AccountWebhooks,
  AttemptFailure,
  EmitInput,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  WebhookSpec,
} from './types.ts'

/** How a delivery's attempts are to be changed, decided once when its event is emitted. */
interface Plan {
  dropAttempts: number
  badSignatureAttempts: number
  stale?: { seconds: number; attempts: number }
  holdForReorder?: number
  extraDelayMs: number
  ruleIds: string[]
}

interface DeliveryState {
  delivery: WebhookDelivery
  event: WebhookEvent
  endpoint: WebhookEndpoint
  plan: Plan
  timer?: { cancel(): void }
  sending: boolean
  /** Virtual time the next attempt is due. */
  dueAt?: number
  /**
   * Virtual time the current attempt was due: the next one is scheduled from it, not from when the
   * attempt ended or (after a synchronous advance past it) from when it went out.
   */
  attemptAt?: number
  /** Duplicate copies of this delivery, sent once it has ended (a provider resending what it already sent). */
  followers?: DeliveryState[]
}

export interface DeliveryQuery {
  provider?: string | undefined
  account?: string | undefined
  eventType?: string | undefined
  eventId?: string | undefined
  endpointId?: string | undefined
  status?: WebhookDelivery['status'] | undefined
  /** Only deliveries with at least this many attempts. */
  minAttempts?: number | undefined
  /** Substring of the JSON of the event payload (an order id, an email). */
  payloadContains?: string | undefined
  limit?: number | undefined
}

const MAX_EVENTS = 50_000
const EXCERPT = 500
const ALL_ATTEMPTS = Number.MAX_SAFE_INTEGER
/** A config endpoint registered for this account name receives the events of every account. */
export const ANY_ACCOUNT = '*'

/**
 * The webhook dispatcher: one queue for every provider. Stages: prepare
 * (serialize and sign), send, record the attempt, schedule the next on the
 * provider's retry schedule in virtual time. Nothing is lost: a delivery ends
 * `delivered` or `failed`, with every attempt recorded.
 */
export class WebhookDispatcher {
  private readonly endpoints = new Map<string, WebhookEndpoint>()
  private readonly events = new Map<string, WebhookEvent>()
  private readonly deliveries = new Map<string, DeliveryState>()
  private readonly rules: { rule: WebhookRule; test: (payload: unknown) => boolean }[] = []
  private readonly held: DeliveryState[] = []
  private waiters: { query: DeliveryQuery; resolve: (d: WebhookDelivery | undefined) => void }[] = []
  private ruleSeq = 0

  constructor(
    private readonly options: {
      clock: VirtualClock
      ids: IdMinter
      spec: (provider: string) => WebhookSpec | undefined
      log: Logger
    },
  ) {}

  // ---------------------------------------------------------------- endpoints

  addEndpoint(input: {
    provider: string
    account: string
    url: string
    secret?: string | undefined
    events?: string[] | undefined
    source: WebhookEndpoint['source']
    meta?: Record<string, unknown> | undefined
    id?: string | undefined
  }): WebhookEndpoint {
    const spec = this.options.spec(input.provider)
    if (!spec)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook endpoint: provider '${input.provider}' sends no webhooks.`,
        {
          field: 'provider',
        },
      )
    try {
      new URL(input.url)
    } catch {
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook endpoint: '${input.url}' is not a URL.`,
        { field: 'url' },
      )
    }
    const secret = input.secret ?? spec.defaultSecret?.(input.account)
    if (!secret)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook endpoint: ${input.provider} endpoints need a secret.`,
        {
          field: 'secret',
        },
      )
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

  listEndpoints(
    filter: { provider?: string | undefined; account?: string | undefined } = {},
  ): WebhookEndpoint[] {
    return [...this.endpoints.values()].filter(
      (e) =>
        (!filter.provider || e.provider === filter.provider) &&
        (!filter.account || e.account === filter.account),
    )
  }

  getEndpoint(id: string): WebhookEndpoint | undefined {
    return this.endpoints.get(id)
  }

  removeEndpoint(id: string): boolean {
    return this.endpoints.delete(id)
  }

  /** The webhook tools bound to one provider and account, as handlers see them. */
  forAccount(provider: string, account: string): AccountWebhooks {
    const mine = (e: WebhookEndpoint | undefined) =>
      e && e.provider === provider && e.account === account && e.source === 'api' ? e : undefined
    return {
      emit: (input) => this.emit(provider, account, input),
      endpoints: {
        add: (input) => this.addEndpoint({ ...input, provider, account, source: 'api' }),
        update: (id, patch) => {
          const e = mine(this.endpoints.get(id))
          if (e) Object.assign(e, patch)
          return e
        },
        remove: (id) => (mine(this.endpoints.get(id)) ? this.endpoints.delete(id) : false),
        get: (id) => mine(this.endpoints.get(id)),
        list: () => this.listEndpoints({ provider, account }).filter((e) => e.source === 'api'),
      },
    }
  }

  // ------------------------------------------------------------------- rules

  addRule(input: unknown): WebhookRule {
    const parsed = WebhookRuleInput.safeParse(input)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const field = issue.path.join('.') || 'body'
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook rule: ${field}: ${issue.message}.`,
        { field },
      )
    }
    const provider = parsed.data.match.provider
    if (provider !== undefined && !this.options.spec(provider))
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook rule: provider '${provider}' is unknown or sends no webhooks; the rule would never fire.`,
        { field: 'match.provider' },
      )
    const rule: WebhookRule = {
      ...parsed.data,
      id: `whrule_${(++this.ruleSeq).toString().padStart(4, '0')}`,
      seen: 0,
      fired: 0,
      createdAt: isoTime(this.options.clock.now()),
    }
    const test = compileMatch({ body: rule.match.payload })
    this.rules.push({
      rule,
      test: (payload) =>
        test({
          provider: '',
          operation: undefined,
          method: '',
          path: '',
          account: undefined,
          body: payload,
          query: {},
          headers: {},
        }),
    })
    return rule
  }

  listRules(): WebhookRule[] {
    return this.rules.map((r) => r.rule)
  }

  removeRule(id: string): boolean {
    const i = this.rules.findIndex((r) => r.rule.id === id)
    if (i >= 0) this.rules.splice(i, 1)
    return i >= 0
  }

  clearRules(provider?: string): void {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      if (provider === undefined || this.rules[i]!.rule.match.provider === provider) this.rules.splice(i, 1)
    }
  }

  // ------------------------------------------------------------------ events

  /** Records an event and starts a delivery to each endpoint that wants it (or to `input.to`). */
  emit(provider: string, account: string, input: EmitInput): WebhookEvent {
    const event: WebhookEvent = {
      id: input.id ?? this.options.ids.mint('evt_', 24),
      provider,
      account,
      type: input.type,
      payload: input.payload,
      createdAt: Math.floor(this.options.clock.now()),
    }
    this.events.set(event.id, event)
    this.trimEvents()
    const targets: WebhookEndpoint[] = input.to
      ? [
          {
            id: `adhoc_${event.id}`,
            provider,
            account,
            url: input.to.url,
            secret: input.to.secret,
            events: ['*'],
            source: 'config',
            enabled: true,
            createdAt: event.createdAt,
            meta: input.to.meta ?? {},
          },
        ]
      : this.listEndpoints({ provider }).filter(
          (e) =>
            (e.account === account || e.account === ANY_ACCOUNT) &&
            e.enabled &&
            (e.events.includes('*') || e.events.includes(event.type)),
        )
    for (const endpoint of targets) this.startDelivery(event, endpoint)
    return event
  }

  /** Sends an existing event again to one endpoint (or every endpoint it went to), as a manual attempt. */
  redeliver(deliveryId: string): WebhookDelivery {
    const state = this.deliveries.get(deliveryId)
    if (!state)
      throw new HarnessError('STANDIN_NOT_FOUND', `Failed to redeliver: no delivery '${deliveryId}'.`, {
        field: 'id',
      })
    state.timer?.cancel()
    this.options.clock.track(this.attempt(state, 'manual'))
    return state.delivery
  }

  getEvent(id: string): WebhookEvent | undefined {
    return this.events.get(id)
  }

  listEvents(
    filter: {
      provider?: string | undefined
      type?: string | undefined
      account?: string | undefined
      limit?: number | undefined
    } = {},
  ): WebhookEvent[] {
    const out = [...this.events.values()].filter(
      (e) =>
        (!filter.provider || e.provider === filter.provider) &&
        (!filter.account || e.account === filter.account) &&
        (!filter.type || typeMatches(filter.type, e.type)),
    )
    return out.slice(-(filter.limit ?? 100)).reverse()
  }

  getDelivery(id: string): WebhookDelivery | undefined {
    return this.deliveries.get(id)?.delivery
  }

  /** Newest first. */
  listDeliveries(query: DeliveryQuery = {}): WebhookDelivery[] {
    const out: WebhookDelivery[] = []
    const all = [...this.deliveries.values()]
    for (let i = all.length - 1; i >= 0 && out.length < (query.limit ?? 100); i--) {
      if (deliveryMatches(all[i]!, query)) out.push(all[i]!.delivery)
    }
    return out
  }

  /** Resolves with the first delivery matching `query` (status and attempt count included), waiting up to `timeoutMs`. */
  waitFor(query: DeliveryQuery, timeoutMs: number): Promise<WebhookDelivery | undefined> {
    const existing = this.listDeliveries({ ...query, limit: 1 })[0]
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const waiter = {
        query,
        resolve: (d: WebhookDelivery | undefined) => {
          clearTimeout(timer)
          resolve(d)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(undefined)
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** Forgets events, deliveries (cancelling pending attempts), config endpoints stay unless `endpoints` is set. */
  reset(provider?: string, options: { endpoints?: boolean } = {}): void {
    for (const [id, state] of this.deliveries) {
      if (provider && state.delivery.provider !== provider) continue
      state.timer?.cancel()
      this.deliveries.delete(id)
    }
    for (const [id, event] of this.events)
      if (!provider || event.provider === provider) this.events.delete(id)
    for (const [id, endpoint] of this.endpoints) {
      if (provider && endpoint.provider !== provider) continue
      if (endpoint.source === 'api' || options.endpoints) this.endpoints.delete(id)
    }
    this.held.splice(
      0,
      this.held.length,
      ...this.held.filter((s) => provider && s.delivery.provider !== provider),
    )
  }

  // -------------------------------------------------------------- internals

  private startDelivery(event: WebhookEvent, endpoint: WebhookEndpoint) {
    const plan = this.planFor(event)
    const copies = 1 + this.duplicatesFor(event)
    let original: DeliveryState | undefined
    for (let copy = 0; copy < copies; copy++) {
      const now = this.options.clock.now()
      const state: DeliveryState = {
        event,
        endpoint,
        plan: copy === 0 ? plan : { ...plan, dropAttempts: 0, holdForReorder: undefined },
        sending: false,
        delivery: {
          id: this.options.ids.mint('whd_', 20),
          eventId: event.id,
          eventType: event.type,
          provider: event.provider,
          account: event.account,
          endpointId: endpoint.id,
          url: endpoint.url,
          status: 'pending',
          attempts: [],
          createdAt: isoTime(now),
        },
      }
      this.deliveries.set(state.delivery.id, state)
      if (copy > 0) {
        // A duplicate is the provider sending again what it already sent: it follows the original once that
        // has ended, so the original's lost attempts are lost for the app too (nothing arrives early).
        original!.followers = [...(original!.followers ?? []), state]
        continue
      }
      original = state
      if (plan.holdForReorder !== undefined) {
        this.held.push(state)
        state.timer = this.options.clock.setTimeout(() => this.release(state), plan.holdForReorder)
      } else this.schedule(state, plan.extraDelayMs, 'scheduled')
    }
  }

  private planFor(event: WebhookEvent): Plan {
    const plan: Plan = { dropAttempts: 0, badSignatureAttempts: 0, extraDelayMs: 0, ruleIds: [] }
    for (const { rule, test } of this.rules) {
      if (rule.effect.type === 'duplicate') continue
      if (!this.ruleApplies(rule, test, event)) continue
      plan.ruleIds.push(rule.id)
      applyEffect(plan, rule.effect)
    }
    return plan
  }

  private duplicatesFor(event: WebhookEvent): number {
    let copies = 0
    for (const { rule, test } of this.rules) {
      if (rule.effect.type !== 'duplicate' || !this.ruleApplies(rule, test, event)) continue
      copies += rule.effect.copies
    }
    return copies
  }

  private ruleApplies(rule: WebhookRule, test: (payload: unknown) => boolean, event: WebhookEvent): boolean {
    const m = rule.match
    if (m.provider && m.provider !== event.provider) return false
    if (m.account && m.account !== event.account) return false
    if (m.eventType && !typeMatches(m.eventType, event.type)) return false
    if (!test(event.payload)) return false
    rule.seen++
    if (rule.after !== undefined && rule.seen <= rule.after) return false
    if (rule.times !== undefined && rule.fired >= rule.times) return false
    rule.fired++
    return true
  }

  private schedule(
    state: DeliveryState,
    delayMs: number,
    trigger: WebhookAttempt['trigger'],
    dueAt = this.options.clock.now() + Math.max(0, delayMs),
  ) {
    state.dueAt = dueAt
    if (delayMs <= 0) {
      // Immediate attempts do not wait on the clock, so a frozen clock (scale 0) still delivers them;
      // the clock tracks them so an advance waits for them (and what they schedule) before moving on.
      this.options.clock.track(
        new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.attempt(state, trigger)),
      )
      return
    }
    state.delivery.nextAttemptAt = isoTime(this.options.clock.now() + delayMs)
    state.timer = this.options.clock.setTimeout(
      () => this.attempt(state, trigger),
      delayMs,
      `webhooks:${state.delivery.provider}`,
    )
  }

  /** A held (reordered) delivery goes out once a later one to the same endpoint has, or when its hold runs out. */
  private release(state: DeliveryState) {
    const i = this.held.indexOf(state)
    if (i < 0) return
    this.held.splice(i, 1)
    state.timer?.cancel()
    this.schedule(state, state.plan.extraDelayMs, 'scheduled')
  }

  /**
   * One attempt, whatever happens: a failure of our own (a signer or serializer
   * that throws, a provider no longer mounted) is recorded on the delivery as a
   * failed attempt and logged, never left to escape as an unhandled rejection.
   */
  private async attempt(state: DeliveryState, trigger: WebhookAttempt['trigger']): Promise<void> {
    try {
      await this.tryAttempt(state, trigger)
    } catch (error) {
      state.sending = false
      this.options.log.error('webhook attempt failed inside standin', {
        delivery: state.delivery.id,
        error: String((error as Error)?.stack ?? error),
      })
      try {
        const n = state.delivery.attempts.length + 1
        state.delivery.attempts.push({
          n,
          at: isoTime(this.options.clock.now()),
          trigger,
          outcome: 'failed',
          error: `internal: ${(error as Error)?.message ?? String(error)}`,
          durationMs: 0,
          requestHeaders: {},
          tampering: [],
        })
        state.delivery.status = 'failed'
        delete state.delivery.nextAttemptAt
        this.notify(state)
      } catch (recordError) {
        this.options.log.error('webhook attempt could not be recorded', { error: String(recordError) })
      }
    }
  }

  private async tryAttempt(state: DeliveryState, trigger: WebhookAttempt['trigger']): Promise<void> {
    if (!this.deliveries.has(state.delivery.id)) return // reset while waiting
    if (state.sending) return
    state.sending = true
    state.timer = undefined
    delete state.delivery.nextAttemptAt
    const spec = this.options.spec(state.event.provider)
    if (!spec) throw new Error(`provider '${state.event.provider}' has no webhook spec`)
    const n = state.delivery.attempts.length + 1
    const tampering: string[] = []
    const started = this.options.clock.realNow()
    const now = this.options.clock.now()
    state.attemptAt = Math.min(now, state.dueAt ?? now)
    state.dueAt = undefined
    const at = isoTime(now)
    let attempt: WebhookAttempt

    // prepare
    const body = spec.serialize
      ? spec.serialize(state.event, state.endpoint)
      : JSON.stringify(state.event.payload)
    let timestamp = this.options.clock.now()
    if (state.plan.stale && n <= state.plan.stale.attempts) {
      timestamp -= state.plan.stale.seconds * 1000
      tampering.push('stale-timestamp')
    }
    let signedBody = body
    if (n <= state.plan.badSignatureAttempts) {
      // Sign other bytes than those sent: every scheme (HMAC, ECDSA, URL+params) then fails to verify.
      signedBody = `${body} `
      tampering.push('bad-signature')
    }
    let headers: Record<string, string>
    try {
      headers = spec.sign({
        event: state.event,
        endpoint: state.endpoint,
        timestamp,
        body: signedBody,
        attempt: n,
      })
    } catch (error) {
      headers = {}
      tampering.push(`sign-failed: ${(error as Error).message}`)
    }

    if (n <= state.plan.dropAttempts && trigger !== 'manual') {
      tampering.push('drop')
      attempt = {
        n,
        at,
        trigger,
        outcome: 'dropped',
        durationMs: 0,
        requestHeaders: headers,
        tampering,
        error: 'dropped by rule',
      }
    } else {
      // send
      try {
        const response = await fetch(state.endpoint.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(
            spec.attemptTimeoutMs?.(state.endpoint, state.delivery) ?? spec.timeoutMs ?? 10_000,
          ),
        })
        const text = await response.text().catch(() => '')
        const ok = response.status >= 200 && response.status < 300
        attempt = {
          n,
          at,
          trigger,
          outcome: ok ? 'delivered' : 'failed',
          status: response.status,
          durationMs: Math.round(this.options.clock.realNow() - started),
          requestHeaders: headers,
          responseExcerpt: text.slice(0, EXCERPT),
          tampering,
        }
        this.recordAndPlan(state, attempt, spec, response)
        return
      } catch (error) {
        attempt = {
          n,
          at,
          trigger,
          outcome: 'failed',
          error: describeError(error),
          durationMs: Math.round(this.options.clock.realNow() - started),
          requestHeaders: headers,
          tampering,
        }
      }
    }
    this.recordAndPlan(state, attempt, spec, undefined)
  }

  /** record success or failure, then schedule the next attempt or give up. */
  private recordAndPlan(
    state: DeliveryState,
    attempt: WebhookAttempt,
    spec: WebhookSpec,
    response: Response | undefined,
  ) {
    state.sending = false
    const delivery = state.delivery
    delivery.attempts.push(attempt)
    if (attempt.outcome === 'delivered') {
      delivery.status = 'delivered'
      this.releaseHeldFor(state.endpoint.id)
    } else if (attempt.trigger === 'manual' && delivery.status === 'delivered') {
      // A failed manual redelivery does not undo an earlier success.
    } else {
      const failures = delivery.attempts.filter(
        (a) => a.trigger !== 'manual' && a.outcome !== 'delivered',
      ).length
      const gone = spec.disableOn410 && attempt.status === 410
      const scheduled = spec.schedule[failures - 1]
      // A provider whose retries depend on how the attempt failed decides itself (WebhookSpec.retry).
      const next = spec.retry
        ? spec.retry({
            event: state.event,
            endpoint: state.endpoint,
            delivery,
            attempt,
            failure: failureOf(attempt),
            failures,
            scheduled,
          })
        : scheduled
      if (gone || next === undefined) {
        delivery.status = 'failed'
        if (gone || spec.disableOnExhaustion) state.endpoint.enabled = false
        this.options.log.warn('webhook delivery failed for good', {
          delivery: delivery.id,
          event: delivery.eventId,
          url: delivery.url,
        })
      } else {
        delivery.status = 'retrying'
        const retryAfter = spec.honourRetryAfter ? retryAfterMs(response) : undefined
        // From the attempt's own start, so an attempt's real duration never shifts the schedule.
        const due = (state.attemptAt ?? this.options.clock.now()) + (retryAfter ?? next)
        // Already due (a synchronous advance moved past it while the attempt was in flight): it goes at once.
        const delay = Math.max(0, due - this.options.clock.now())
        this.schedule(state, delay, attempt.trigger === 'duplicate' ? 'duplicate' : 'scheduled', due)
      }
    }
    if (delivery.status === 'delivered' || delivery.status === 'failed') this.releaseFollowers(state)
    this.notify(state)
  }

  private releaseFollowers(state: DeliveryState) {
    const followers = state.followers
    if (!followers) return
    state.followers = undefined
    for (const follower of followers)
      if (this.deliveries.has(follower.delivery.id)) this.schedule(follower, 0, 'duplicate')
  }

  private releaseHeldFor(endpointId: string) {
    for (const held of [...this.held]) if (held.endpoint.id === endpointId) this.release(held)
  }

  private notify(state: DeliveryState) {
    if (this.waiters.length === 0) return
    this.waiters = this.waiters.filter((w) => {
      if (!deliveryMatches(state, w.query)) return true
      w.resolve(state.delivery)
      return false
    })
  }

  private trimEvents() {
    if (this.events.size <= MAX_EVENTS) return
    // Only events whose deliveries have all ended may go; nothing pending is ever dropped.
    const pending = new Set<string>()
    for (const s of this.deliveries.values())
      if (s.delivery.status === 'pending' || s.delivery.status === 'retrying') pending.add(s.event.id)
    for (const id of this.events.keys()) {
      if (this.events.size <= MAX_EVENTS * 0.9) break
      if (pending.has(id)) continue
      this.events.delete(id)
      for (const [did, s] of this.deliveries) if (s.event.id === id) this.deliveries.delete(did)
    }
  }
}

function applyEffect(plan: Plan, effect: WebhookEffect) {
  switch (effect.type) {
    case 'delay':
      plan.extraDelayMs += effect.ms
      return
    case 'drop':
      plan.dropAttempts = Math.max(plan.dropAttempts, effect.attempts)
      return
    case 'reorder':
      plan.holdForReorder = effect.holdMs
      return
    case 'bad-signature':
      plan.badSignatureAttempts = effect.attempts ?? ALL_ATTEMPTS
      return
    case 'stale-timestamp':
      plan.stale = { seconds: effect.seconds, attempts: effect.attempts ?? ALL_ATTEMPTS }
      return
    case 'duplicate':
      return
  }
}

function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type
}

function deliveryMatches(state: DeliveryState, q: DeliveryQuery): boolean {
  const d = state.delivery
  if (q.provider && d.provider !== q.provider) return false
  if (q.account && d.account !== q.account) return false
  if (q.eventType && !typeMatches(q.eventType, d.eventType)) return false
  if (q.eventId && d.eventId !== q.eventId) return false
  if (q.endpointId && d.endpointId !== q.endpointId) return false
  if (q.status && d.status !== q.status) return false
  if (q.minAttempts !== undefined && d.attempts.length < q.minAttempts) return false
  if (q.payloadContains && !JSON.stringify(state.event.payload).includes(q.payloadContains)) return false
  return true
}

function retryAfterMs(response: Response | undefined): number | undefined {
  const value = response?.headers.get('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  // A receiver asking for more than a day is taken at a day: the schedule's own spacing is never longer.
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 86_400) * 1000 : undefined
}

function describeError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError') return 'timeout: the receiver did not answer in time'
  return e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? e.message}` : e.message
}

/** How a failed attempt failed, read from what it recorded (describeError's `code:` prefix, or the status). */
function failureOf(attempt: WebhookAttempt): AttemptFailure {
  if (attempt.outcome === 'dropped') return 'dropped'
  if (attempt.status !== undefined) return 'http'
  const error = attempt.error ?? ''
  if (error.startsWith('timeout')) return 'timeout'
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b/.test(error))
    return 'connect'
  return 'reset'
}
