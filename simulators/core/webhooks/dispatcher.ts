import { isoTime, type VirtualClock } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import type { Logger } from '../provider.ts'
import { createRandom, type IdMinter, type Random } from '../random.ts'
import type { DeliveryStart } from './effects/index.ts'
import { type AddEndpointInput, EndpointRegistry } from './endpoints.ts'
import { type DeliveryQuery, type DeliveryState, type EventFilter, Outbox } from './outbox.ts'
import type { ReceiverAnswer } from './post.ts'
import { decideRetry } from './retry-policy.ts'
import { type RuleExplanation, WebhookRuleBook } from './rule-book.ts'
import type { WebhookRule } from './rules.ts'
import { sendAttempt } from './sender.ts'
import type {
  AccountWebhooks,
  EmitInput,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  WebhookSpec,
} from './types.ts'

export { ANY_ACCOUNT } from './endpoints.ts'
export type { DeliveryQuery, EventFilter } from './outbox.ts'

/**
 * The webhook dispatcher: one queue for every provider. An emitted event gets
 * a delivery per endpoint ({@link EndpointRegistry}), kept in the {@link Outbox};
 * the rules that fire shape how it starts (delay, hold, copies) and what each
 * attempt sends; the {@link sendAttempt sender} makes each attempt and
 * {@link decideRetry the provider's retry policy} schedules the next in
 * virtual time. Nothing is lost: a delivery ends `delivered` or `failed`, with
 * every attempt recorded.
 */
export class WebhookDispatcher {
  private readonly endpointRegistry: EndpointRegistry
  private readonly outbox: Outbox
  private readonly rules: WebhookRuleBook
  /** Deliveries held by a reorder rule until a later one to the same endpoint has gone out. */
  private readonly held: DeliveryState[] = []
  private random: Random | undefined

  constructor(
    private readonly options: {
      clock: VirtualClock
      ids: IdMinter
      spec: (provider: string) => WebhookSpec | undefined
      log: Logger
      /** Seeded stream for rule probabilities; default: seeded from `ids` when a rule first draws. */
      random?: Random
      /** Events kept before the oldest ended ones are forgotten. */
      maxEvents?: number
    },
  ) {
    this.endpointRegistry = new EndpointRegistry(options)
    this.outbox = new Outbox(options.maxEvents)
    this.random = options.random
    this.rules = new WebhookRuleBook({
      now: () => options.clock.now(),
      knows: (provider) => options.spec(provider) !== undefined,
      random: () => {
        this.random ??= createRandom(Math.floor(this.options.ids.next() * 2 ** 32))
        return this.random()
      },
    })
  }

  // ---------------------------------------------------------------- endpoints

  addEndpoint(input: AddEndpointInput): WebhookEndpoint {
    return this.endpointRegistry.add(input)
  }

  listEndpoints(
    filter: { provider?: string | undefined; account?: string | undefined } = {},
  ): WebhookEndpoint[] {
    return this.endpointRegistry.list(filter)
  }

  getEndpoint(id: string): WebhookEndpoint | undefined {
    return this.endpointRegistry.get(id)
  }

  removeEndpoint(id: string): boolean {
    return this.endpointRegistry.remove(id)
  }

  /** The webhook tools bound to one provider and account, as handlers see them. */
  forAccount(provider: string, account: string): AccountWebhooks {
    return {
      emit: (input) => this.emit(provider, account, input),
      endpoints: this.endpointRegistry.forAccount(provider, account),
    }
  }

  // ------------------------------------------------------------------- rules

  addRule(input: unknown): WebhookRule {
    return this.rules.add(input)
  }

  listRules(): WebhookRule[] {
    return this.rules.list()
  }

  removeRule(id: string): boolean {
    return this.rules.remove(id)
  }

  clearRules(provider?: string): void {
    this.rules.clear(provider)
  }

  /** What each rule would do to a delivery's event (or to any event), counting nothing: for the dashboard and the CLI. */
  explainRules(deliveryId: string): RuleExplanation[] {
    const state = this.outbox.state(deliveryId)
    if (!state)
      throw new HarnessError('STANDIN_NOT_FOUND', `Failed to explain rules: no delivery '${deliveryId}'.`, {
        field: 'id',
      })
    return this.rules.explain(state.event)
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
    this.outbox.addEvent(event)
    if (input.to) {
      this.startDelivery(event, {
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
      })
    } else for (const endpoint of this.endpointRegistry.targetsOf(event)) this.startDelivery(event, endpoint)
    return event
  }

  /** Sends an existing delivery's event again, as a manual attempt. */
  redeliver(deliveryId: string): WebhookDelivery {
    const state = this.outbox.state(deliveryId)
    if (!state)
      throw new HarnessError('STANDIN_NOT_FOUND', `Failed to redeliver: no delivery '${deliveryId}'.`, {
        field: 'id',
      })
    state.timer?.cancel()
    this.options.clock.track(this.attempt(state, 'manual'))
    return state.delivery
  }

  getEvent(id: string): WebhookEvent | undefined {
    return this.outbox.getEvent(id)
  }

  listEvents(filter: EventFilter = {}): WebhookEvent[] {
    return this.outbox.listEvents(filter)
  }

  getDelivery(id: string): WebhookDelivery | undefined {
    return this.outbox.state(id)?.delivery
  }

  /** Newest first. */
  listDeliveries(query: DeliveryQuery = {}): WebhookDelivery[] {
    return this.outbox.listDeliveries(query)
  }

  /** How many deliveries are pending, retrying, delivered and failed. */
  counts(): Record<WebhookDelivery['status'], number> {
    return this.outbox.counts()
  }

  /** Resolves with the first delivery matching `query` (status and attempt count included), waiting up to `timeoutMs`. */
  waitFor(query: DeliveryQuery, timeoutMs: number): Promise<WebhookDelivery | undefined> {
    return this.outbox.waitFor(query, timeoutMs)
  }

  /** Forgets events, deliveries (cancelling pending attempts), config endpoints stay unless `endpoints` is set. */
  reset(provider?: string, options: { endpoints?: boolean } = {}): void {
    this.outbox.reset(provider)
    this.endpointRegistry.reset(provider, options.endpoints === true)
    this.held.splice(
      0,
      this.held.length,
      ...this.held.filter((s) => provider && s.delivery.provider !== provider),
    )
  }

  // -------------------------------------------------------------- internals

  private startDelivery(event: WebhookEvent, endpoint: WebhookEndpoint) {
    const rules = this.rules.fire(event)
    const start: DeliveryStart = { delayMs: 0, holdMs: undefined, copies: 0 }
    for (const fired of rules) fired.definition.start?.(fired.effect, start)
    const original = this.newDelivery(event, endpoint, rules)
    if (start.copies > 0) {
      // A duplicate is the provider sending again what it already sent: it follows the original once that
      // has ended, so the original's lost attempts are lost for the app too (nothing arrives early).
      const copyRules = rules.filter((r) => r.definition.onCopies)
      original.followers = Array.from({ length: start.copies }, () =>
        this.newDelivery(event, endpoint, copyRules),
      )
    }
    if (start.holdMs !== undefined) {
      this.held.push(original)
      original.timer = this.options.clock.setTimeout(
        () => this.release(original, start.delayMs),
        start.holdMs,
      )
    } else this.schedule(original, start.delayMs, 'scheduled')
  }

  private newDelivery(
    event: WebhookEvent,
    endpoint: WebhookEndpoint,
    rules: DeliveryState['rules'],
  ): DeliveryState {
    const state: DeliveryState = {
      event,
      endpoint,
      rules,
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
        createdAt: isoTime(this.options.clock.now()),
      },
    }
    this.outbox.addDelivery(state)
    return state
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
      // the clock tracks them so an advance (and core.settled) waits for them and what they schedule.
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
  private release(state: DeliveryState, delayMs: number) {
    const i = this.held.indexOf(state)
    if (i < 0) return
    this.held.splice(i, 1)
    state.timer?.cancel()
    this.schedule(state, delayMs, 'scheduled')
  }

  /**
   * One attempt, whatever happens: a failure of our own (a signer or serializer
   * that throws, a provider no longer mounted) is recorded on the delivery as a
   * failed attempt and logged, never left to escape as an unhandled rejection.
   */
  private async attempt(state: DeliveryState, trigger: WebhookAttempt['trigger']): Promise<void> {
    if (!this.outbox.has(state)) return // reset while waiting
    if (state.sending) return
    state.sending = true
    state.timer = undefined
    delete state.delivery.nextAttemptAt
    const now = this.options.clock.now()
    state.attemptAt = Math.min(now, state.dueAt ?? now)
    state.dueAt = undefined
    try {
      const spec = this.options.spec(state.event.provider)
      if (!spec) throw new Error(`provider '${state.event.provider}' has no webhook spec`)
      const { attempt, response } = await sendAttempt(spec, state, trigger, this.options.clock)
      this.record(state, attempt, spec, response)
    } catch (error) {
      this.recordInternalFailure(state, trigger, error)
    }
  }

  /** Records the attempt, then schedules the next or gives up; an ended delivery releases its copies and held ones. */
  private record(
    state: DeliveryState,
    attempt: WebhookAttempt,
    spec: WebhookSpec,
    response: ReceiverAnswer | undefined,
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
      const verdict = decideRetry(spec, {
        event: state.event,
        endpoint: state.endpoint,
        delivery,
        attempt,
        response,
      })
      if (!verdict.retry) {
        delivery.status = 'failed'
        if (verdict.disableEndpoint) state.endpoint.enabled = false
        this.options.log.warn('webhook delivery failed for good', {
          delivery: delivery.id,
          event: delivery.eventId,
          url: delivery.url,
        })
      } else {
        delivery.status = 'retrying'
        // From the attempt's own start, so an attempt's real duration never shifts the schedule.
        const due = (state.attemptAt ?? this.options.clock.now()) + verdict.waitMs
        // Already due (a synchronous advance moved past it while the attempt was in flight): it goes at once.
        const delay = Math.max(0, due - this.options.clock.now())
        this.schedule(state, delay, attempt.trigger === 'duplicate' ? 'duplicate' : 'scheduled', due)
      }
    }
    if (delivery.status === 'delivered' || delivery.status === 'failed') this.releaseFollowers(state)
    this.outbox.notify(state)
  }

  private recordInternalFailure(state: DeliveryState, trigger: WebhookAttempt['trigger'], error: unknown) {
    state.sending = false
    this.options.log.error('webhook attempt failed inside standin', {
      delivery: state.delivery.id,
      error: String((error as Error)?.stack ?? error),
    })
    try {
      state.delivery.attempts.push({
        n: state.delivery.attempts.length + 1,
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
      this.releaseFollowers(state)
      this.outbox.notify(state)
    } catch (recordError) {
      this.options.log.error('webhook attempt could not be recorded', { error: String(recordError) })
    }
  }

  private releaseFollowers(state: DeliveryState) {
    const followers = state.followers
    if (!followers) return
    state.followers = undefined
    for (const follower of followers) if (this.outbox.has(follower)) this.schedule(follower, 0, 'duplicate')
  }

  private releaseHeldFor(endpointId: string) {
    for (const held of [...this.held]) if (held.endpoint.id === endpointId) this.release(held, 0)
  }
}
