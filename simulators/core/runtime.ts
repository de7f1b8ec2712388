import type { z } from 'zod'
import { VirtualClock } from './clock.ts'
import { HarnessError } from './errors.ts'
import { FaultEngine } from './faults/engine.ts'
import type { PlainResponse, RawRequest } from './http.ts'
import { IdempotencyCache } from './idempotency.ts'
import { Journal, type JournalLimits } from './journal.ts'
import { MessageInbox } from './messages.ts'
import { RequestContext } from './pipeline/context.ts'
import { Exchange, type Outcome } from './pipeline/exchange.ts'
import { bareRequest, finalize, record } from './pipeline/finish.ts'
import type { PipelineHost } from './pipeline/host.ts'
import { runPipeline } from './pipeline/index.ts'
import type { AnyProvider, Logger, ProviderContext, ProviderServices, RouteDefinition } from './provider.ts'
import { deriveSeed, IdMinter } from './random.ts'
import { Router } from './router.ts'
import { AccountStore } from './store.ts'
import { WebhookDispatcher } from './webhooks/dispatcher.ts'
import type { AccountWebhooks } from './webhooks/types.ts'

export type { Outcome } from './pipeline/exchange.ts'

export interface CoreOptions {
  seed?: number
  journalSize?: number
  /** Bytes and nesting the journal keeps (see {@link JournalLimits}). */
  journal?: JournalLimits
  timeScale?: number
  log?: Logger
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }

/**
 * The services every provider shares (clock, journal, fault engine, webhook
 * dispatcher, inbox) and the providers registered on them. One per hub; tests
 * make their own.
 */
export class Core {
  readonly seed: number
  readonly clock: VirtualClock
  readonly journal: Journal
  readonly faults: FaultEngine
  readonly webhooks: WebhookDispatcher
  private readonly webhookIds: IdMinter
  readonly inbox: MessageInbox
  readonly log: Logger
  readonly providers = new Map<string, ProviderRuntime>()

  constructor(options: CoreOptions = {}) {
    this.seed = options.seed ?? 1
    this.log = options.log ?? silentLogger
    this.clock = new VirtualClock({
      scale: options.timeScale ?? 1,
      // A timer's failure is its own: logged, and the clock carries on with the next.
      onError: (error) => this.log.error('timer failed', { error: String((error as Error)?.stack ?? error) }),
    })
    this.journal = new Journal(options.journalSize ?? 10_000, options.journal)
    this.faults = new FaultEngine(
      deriveSeed(this.seed, 'faults'),
      (name) => this.providers.get(name)?.definition.errors,
      () => this.clock.now(),
      (provider) =>
        (provider === undefined ? [...this.providers.values()] : [this.providers.get(provider)])
          .filter((r) => r !== undefined)
          .flatMap((r) => r.definition.routes.map((route) => route.operation)),
    )
    this.inbox = new MessageInbox(this.clock)
    this.webhookIds = new IdMinter(deriveSeed(this.seed, 'webhooks'))
    this.webhooks = new WebhookDispatcher({
      clock: this.clock,
      ids: this.webhookIds,
      spec: (name) => this.providers.get(name)?.definition.webhooks,
      log: this.log,
    })
  }

  /** Mounts a provider on the core; `baseUrl` is where clients (and browsers) reach it. */
  register(definition: AnyProvider, options: { baseUrl: string }): ProviderRuntime {
    if (this.providers.has(definition.name))
      throw new HarnessError(
        'STANDIN_BAD_CONFIG',
        `Failed to register provider: '${definition.name}' is registered twice.`,
      )
    const runtime = new ProviderRuntime(this, definition, options.baseUrl)
    this.providers.set(definition.name, runtime)
    runtime.start()
    return runtime
  }

  provider(name: string): ProviderRuntime {
    const runtime = this.providers.get(name)
    if (!runtime)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Unknown provider '${name}'. Known: ${[...this.providers.keys()].join(', ')}.`,
        {
          field: 'provider',
        },
      )
    return runtime
  }

  /**
   * Resolves once nothing is left to do now: no webhook attempt in flight or due, no timer due.
   * Tests wait on this instead of sleeping; retries due later need `clock.advanceAsync(ms)`.
   */
  settled(): Promise<void> {
    return this.clock.idle()
  }

  /** Forgets state, journal, rules, deliveries and messages: of one provider (and optionally one account), or all. */
  reset(options: { provider?: string | undefined; account?: string | undefined } = {}): void {
    const targets = options.provider ? [this.provider(options.provider)] : [...this.providers.values()]
    for (const runtime of targets) runtime.reset(options.account)
    if (options.account !== undefined) return
    if (options.provider) {
      this.journal.clear(options.provider)
      this.faults.clear(options.provider)
      this.webhooks.clearRules(options.provider)
      this.webhooks.reset(options.provider)
      this.inbox.clear({ provider: options.provider })
      return
    }
    this.journal.clear()
    this.faults.clear()
    this.webhooks.clearRules()
    this.webhooks.reset()
    this.inbox.clear()
    this.clock.reset()
    // A reset hub mints the ids a fresh one would, so a replayed run sees the same evt_/whd_ ids.
    this.webhookIds.restart()
  }
}

/** One provider mounted on the core: its router, state, ids, and the request pipeline (pipeline/) it runs. */
export class ProviderRuntime<State = unknown> implements PipelineHost<State> {
  readonly store: AccountStore<State>
  readonly ids: IdMinter
  readonly services: ProviderServices<State>
  readonly router: Router<RouteDefinition<State, z.ZodType>>
  readonly idempotency: IdempotencyCache | undefined
  readonly faults: FaultEngine
  readonly clock: VirtualClock
  readonly journal: Journal
  readonly log: Logger
  private readonly requestIds: IdMinter
  /** Made once, handed to every request: no closure per request. */
  private readonly contextFor = (account: string, requestId: string) => this.context(account, requestId)
  private readonly accountWebhooks = new Map<string, AccountWebhooks>()
  private readonly accountInboxes = new Map<string, ProviderContext<State>['inbox']>()
  readonly bodyLimit: number

  constructor(
    readonly core: Core,
    readonly definition: AnyProvider,
    private base: string,
  ) {
    const name = definition.name
    this.faults = core.faults
    this.clock = core.clock
    this.journal = core.journal
    this.log = core.log
    this.store = new AccountStore<State>((account) => definition.createState(account))
    this.ids = new IdMinter(deriveSeed(core.seed, `${name}:ids`))
    this.requestIds = new IdMinter(deriveSeed(core.seed, `${name}:requests`))
    const random = new IdMinter(deriveSeed(core.seed, `${name}:random`))
    this.router = new Router(definition.routes as RouteDefinition<State, z.ZodType>[])
    this.idempotency = definition.idempotency
      ? new IdempotencyCache(definition.idempotency, () => core.clock.now())
      : undefined
    this.bodyLimit = definition.bodyLimit ?? 1024 * 1024
    this.services = {
      provider: name,
      store: this.store,
      clock: core.clock,
      ids: this.ids,
      random: () => random.next(),
      baseUrl: base,
      log: core.log,
      later: (ms, fn) => core.clock.setTimeout(fn, ms, name),
      webhooksFor: (account) => this.webhooksFor(account),
      inboxFor: (account) => this.inboxFor(account),
    }
  }

  get name(): string {
    return this.definition.name
  }

  get baseUrl(): string {
    return this.base
  }

  /** Where clients reach this provider; known only once a transport listens (port 0 in tests). */
  setBaseUrl(url: string): void {
    this.base = url
    this.services.baseUrl = url
  }

  start(): void {
    this.definition.start?.(this.services)
  }

  reset(account?: string): void {
    this.store.reset(account)
    this.idempotency?.reset(account)
    if (account === undefined) {
      this.core.clock.clearTimers(this.name)
      this.ids.restart()
      this.requestIds.restart()
    }
  }

  /** A context bound to an account, for handlers, triggers and tests of standin itself (the in-process API). */
  context(account: string, requestId = this.mintRequestId()): ProviderContext<State> {
    return new RequestContext(this.services, account, requestId)
  }

  mintRequestId(): string {
    return this.definition.requestId?.(this.requestIds) ?? this.requestIds.mint('req_', 14)
  }

  /** Runs a named trigger (like a provider CLI's `trigger payment_intent.succeeded`). */
  async trigger(name: string, account: string, params: Record<string, unknown>): Promise<unknown> {
    const trigger = this.definition.triggers?.[name]
    if (!trigger)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to trigger: ${this.name} has no trigger '${name}'. Known: ${Object.keys(this.definition.triggers ?? {}).join(', ') || 'none'}.`,
        { field: 'event' },
      )
    return trigger.run(this.context(account), params)
  }

  /** The whole pipeline for one raw request: the stages of pipeline/index.ts. */
  handle(raw: RawRequest): Promise<Outcome> {
    return runPipeline(this, raw, this.contextFor)
  }

  /** The provider's answer to a body the transport refused before decoding (too large); `status` overrides the provider's. */
  refuseBody(raw: RawRequest, problem: 'too-large' | 'malformed', detail: string, status?: number): Outcome {
    const req = bareRequest(raw.method, raw.url)
    const response = this.definition.responses.invalidBody(req, problem, detail)
    if (status !== undefined) response.status = status
    return this.answerUnrouted(raw, response)
  }

  /**
   * The provider's own 5xx for a failure of standin itself outside a handler
   * (the transport, a hook): logged, and journaled as internal, so it never
   * reads as the client's fault.
   */
  internalFailure(raw: RawRequest, error: unknown): Outcome {
    const req = bareRequest(raw.method, raw.url)
    this.core.log.error('request failed inside standin', {
      provider: this.name,
      path: req.path,
      error: String((error as Error)?.stack ?? error),
    })
    let response: PlainResponse
    try {
      response = this.definition.responses.internalError(req, error)
    } catch {
      response = { status: 500, body: { error: 'internal error' } }
    }
    return this.answerUnrouted(raw, response, String((error as Error)?.message ?? error))
  }

  /** Finalizes and journals an answer made outside the stages (no route, no faults). */
  private answerUnrouted(raw: RawRequest, response: PlainResponse, internalError?: string): Outcome {
    const ex = new Exchange<State>(raw, this.core.clock.realNow(), this.contextFor)
    ex.req = bareRequest(raw.method, raw.url)
    ex.requestId = this.mintRequestId()
    ex.response = response
    if (internalError !== undefined) ex.internal = internalError
    const outcome = finalize(this as PipelineHost, ex as Exchange, response)
    record(this as PipelineHost, ex as Exchange, outcome)
    return outcome
  }

  private webhooksFor(account: string): AccountWebhooks {
    let tools = this.accountWebhooks.get(account)
    if (!tools) {
      tools = this.core.webhooks.forAccount(this.name, account)
      this.accountWebhooks.set(account, tools)
    }
    return tools
  }

  private inboxFor(account: string): ProviderContext<State>['inbox'] {
    let inbox = this.accountInboxes.get(account)
    if (!inbox) {
      inbox = { capture: (input) => this.core.inbox.captureFor(this.name, account, input) }
      this.accountInboxes.set(account, inbox)
    }
    return inbox
  }
}
