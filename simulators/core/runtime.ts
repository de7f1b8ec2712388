import type { z } from 'zod'
import { VirtualClock } from './clock.ts'
import { HarnessError, ProviderError } from './errors.ts'
import { FaultEngine, type FaultVerdict } from './faults/engine.ts'
import {
  BodyDecodeError,
  type PlainRequest,
  type PlainResponse,
  type RawRequest,
  serializeBody,
  toPlainRequest,
} from './http.ts'
import { IdempotencyCache } from './idempotency.ts'
import { Journal, type JournalEntry, type JournalLimits, nestsDeeperThan } from './journal.ts'
import { MessageInbox } from './messages.ts'
import type { AnyProvider, Logger, ProviderContext, ProviderServices, RouteDefinition } from './provider.ts'
import { deriveSeed, IdMinter } from './random.ts'
import { Router } from './router.ts'
import { AccountStore } from './store.ts'
import { WebhookDispatcher } from './webhooks/dispatcher.ts'
import type { AccountWebhooks } from './webhooks/types.ts'

/** What a transport must do with a request: send a response, drop the connection, or never answer. */
export type Outcome =
  | {
      kind: 'response'
      status: number
      headers: Record<string, string>
      payload: string | Buffer
      slowBody?: { chunkBytes: number; chunkDelayMs: number }
    }
  | { kind: 'reset' }
  | { kind: 'hang'; ms: number }

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

/** One provider mounted on the core: its router, state, ids and the request pipeline. */
export class ProviderRuntime<State = unknown> {
  readonly store: AccountStore<State>
  readonly ids: IdMinter
  readonly services: ProviderServices<State>
  private readonly router: Router<RouteDefinition<State, z.ZodType>>
  private readonly requestIds: IdMinter
  private readonly idempotency: IdempotencyCache | undefined
  private readonly accountWebhooks = new Map<string, AccountWebhooks>()
  private readonly accountInboxes = new Map<string, ProviderContext<State>['inbox']>()
  readonly bodyLimit: number

  constructor(
    readonly core: Core,
    readonly definition: AnyProvider,
    private base: string,
  ) {
    const name = definition.name
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
  context(
    account: string,
    requestId = this.definition.requestId?.(this.requestIds) ?? this.requestIds.mint('req_', 14),
  ): ProviderContext<State> {
    return new RequestContext(this, account, requestId)
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

  /** The whole pipeline for one raw request: decode, route, faults, auth, validate, idempotency, handle, journal. */
  async handle(raw: RawRequest): Promise<Outcome> {
    const started = this.core.clock.realNow()
    let req: PlainRequest
    let bodyProblem: BodyDecodeError | undefined
    try {
      req = await toPlainRequest(raw)
    } catch (error) {
      if (!(error instanceof BodyDecodeError)) throw error
      bodyProblem = error
      req = await toPlainRequest({ ...raw, body: Buffer.alloc(0) })
      req.rawBody = raw.body
    }
    const requestId = this.definition.requestId?.(this.requestIds) ?? this.requestIds.mint('req_', 14)
    const lookup = this.router.lookup(req.method, req.path, req.host)
    const route = lookup.kind === 'found' ? lookup.match.route : undefined
    if (lookup.kind === 'found') req.params = lookup.match.params

    // The account is known before faults run so rules can be scoped by it; an auth failure is answered after them.
    let account: string | undefined
    let authError: PlainResponse | undefined
    if (route) {
      try {
        account = this.definition.auth(req)
      } catch (error) {
        if (route.auth !== false) authError = this.errorResponse(req, error)
      }
    }

    const verdict = this.core.faults.evaluate({
      provider: this.name,
      operation: route?.operation,
      method: req.method,
      path: req.path,
      account,
      body: req.body,
      query: req.query,
      headers: req.headers,
    })
    if (verdict.delayBeforeMs > 0) await this.core.clock.sleepReal(verdict.delayBeforeMs)
    const terminal = verdict.terminal
    if (terminal && terminal.kind !== 'respond' && terminal.phase === 'before')
      return this.record(req, route, account, requestId, started, verdict, terminal)

    let response: PlainResponse
    let replayed = false
    let internal: string | undefined
    if (terminal?.kind === 'respond') response = terminal.response
    else if (lookup.kind === 'not-found') response = this.definition.responses.notFound(req)
    else if (lookup.kind === 'method-not-allowed')
      response = (this.definition.responses.methodNotAllowed ?? this.definition.responses.notFound)(
        req,
        lookup.allowed,
      )
    else if (authError && (this.definition.authBeforeBody || !bodyProblem)) response = authError
    else if (bodyProblem)
      response = this.definition.responses.invalidBody(req, bodyProblem.problem, bodyProblem.message)
    else {
      const result = await this.run(route!, req, account ?? 'anonymous', requestId)
      response = result.response
      replayed = result.replayed
      internal = result.internal
    }
    this.definition.finalize?.(response, req, { requestId, account })

    if (verdict.delayAfterMs > 0) await this.core.clock.sleepReal(verdict.delayAfterMs)
    if (terminal && terminal.kind !== 'respond')
      return this.record(req, route, account, requestId, started, verdict, terminal, response)
    const { headers, payload } = serializeBody(response)
    const outcome: Outcome = { kind: 'response', status: response.status, headers, payload }
    if (verdict.slowBody) outcome.slowBody = verdict.slowBody
    this.record(req, route, account, requestId, started, verdict, outcome, response, replayed, internal)
    return outcome
  }

  /** The provider's answer to a body the transport refused before decoding (too large); `status` overrides the provider's. */
  refuseBody(raw: RawRequest, problem: 'too-large' | 'malformed', detail: string, status?: number): Outcome {
    const req = this.bareRequest(raw)
    const response = this.definition.responses.invalidBody(req, problem, detail)
    if (status !== undefined) response.status = status
    return this.answerUnrouted(req, response)
  }

  /**
   * The provider's own 5xx for a failure of standin itself outside a handler
   * (the transport, a hook): logged, and journaled as internal, so it never
   * reads as the client's fault.
   */
  internalFailure(raw: RawRequest, error: unknown): Outcome {
    const req = this.bareRequest(raw)
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
    return this.answerUnrouted(req, response, String((error as Error)?.message ?? error))
  }

  private bareRequest(raw: RawRequest): PlainRequest {
    return {
      method: raw.method.toUpperCase(),
      path: raw.url.split('?')[0]!,
      url: raw.url,
      host: '',
      headers: {},
      query: {},
      rawBody: Buffer.alloc(0),
      body: undefined,
      contentType: undefined,
      files: [],
      params: {},
    }
  }

  private answerUnrouted(req: PlainRequest, response: PlainResponse, internalError?: string): Outcome {
    const started = this.core.clock.realNow()
    const requestId = this.definition.requestId?.(this.requestIds) ?? this.requestIds.mint('req_', 14)
    this.definition.finalize?.(response, req, { requestId, account: undefined })
    const { headers, payload } = serializeBody(response)
    const outcome: Outcome = { kind: 'response', status: response.status, headers, payload }
    this.record(
      req,
      undefined,
      undefined,
      requestId,
      started,
      { delayBeforeMs: 0, delayAfterMs: 0, fired: [] },
      outcome,
      response,
      false,
      internalError,
    )
    return outcome
  }

  private async run(
    route: RouteDefinition<State, z.ZodType>,
    req: PlainRequest,
    account: string,
    requestId: string,
  ): Promise<{ response: PlainResponse; replayed: boolean; internal?: string }> {
    let input: unknown
    if (route.input) {
      const source =
        route.inputFrom === 'merged'
          ? { ...req.query, ...(isRecord(req.body) ? req.body : {}) }
          : (route.inputFrom ?? (req.method === 'GET' || req.method === 'DELETE' ? 'query' : 'body')) ===
              'query'
            ? req.query
            : (req.body ?? {})
      const parsed = route.input.safeParse(source)
      if (!parsed.success)
        return {
          response: this.definition.responses.invalidInput(req, parsed.error.issues, route as never),
          replayed: false,
        }
      input = parsed.data
    }

    const spec = this.definition.idempotency
    const applies =
      this.idempotency && (route.idempotent ?? (spec!.methods ?? ['POST']).includes(route.method as never))
    const decision = applies
      ? this.idempotency!.begin(req, account)
      : { kind: 'run' as const, key: undefined }
    if (decision.kind === 'replay') return { response: decision.response, replayed: true }
    if (decision.kind === 'refuse') return { response: decision.response, replayed: false }

    let response: PlainResponse
    let internal: string | undefined
    try {
      response = await route.handler(req, this.context(account, requestId), input)
    } catch (error) {
      response = this.errorResponse(req, error)
      if (!(error instanceof ProviderError)) internal = String((error as Error)?.message ?? error)
    }
    if (decision.key !== undefined) this.idempotency!.finish(account, decision.key, response)
    return internal === undefined ? { response, replayed: false } : { response, replayed: false, internal }
  }

  private errorResponse(req: PlainRequest, error: unknown): PlainResponse {
    if (error instanceof ProviderError) return error.response
    this.core.log.error('handler failed', {
      provider: this.name,
      path: req.path,
      error: String((error as Error)?.stack ?? error),
    })
    return this.definition.responses.internalError(req, error)
  }

  private record(
    req: PlainRequest,
    route: RouteDefinition<State, z.ZodType> | undefined,
    account: string | undefined,
    requestId: string,
    started: number,
    verdict: FaultVerdict,
    outcome: Outcome,
    response?: PlainResponse,
    replayed = false,
    internalError?: string,
  ): Outcome {
    const now = this.core.clock.now()
    const journal = this.core.journal
    const rawBytes = req.rawBody.length
    let body: unknown
    let bodyTruncated: JournalEntry['bodyTruncated']
    if (rawBytes > journal.maxBodyBytes) bodyTruncated = { reason: 'size', bytes: rawBytes }
    else {
      body = req.body ?? (rawBytes > 0 ? req.rawBody.toString('utf8', 0, 4096) : undefined)
      // Nesting N deep takes at least 2N bytes, so small bodies skip the walk.
      if (rawBytes > 2 * journal.maxDepth && nestsDeeperThan(body, journal.maxDepth))
        bodyTruncated = { reason: 'depth', bytes: rawBytes }
    }
    if (bodyTruncated) body = req.rawBody.toString('utf8', 0, Math.min(rawBytes, journal.maxBodyBytes))
    let responseBody = outcome.kind === 'response' ? response?.body : undefined
    let responseTruncated: JournalEntry['responseTruncated']
    const payloadBytes = outcome.kind === 'response' ? outcome.payload.length : 0
    if (payloadBytes > journal.maxBodyBytes && outcome.kind === 'response') {
      responseTruncated = { reason: 'size', bytes: payloadBytes }
      responseBody = outcome.payload.toString('utf8', 0, journal.maxBodyBytes)
    }
    // Built field by field, without spreads: this runs on every request.
    const entry: Omit<JournalEntry, 'seq'> = {
      requestId,
      at: isoAt(now),
      epochMs: Math.floor(now),
      provider: this.definition.name,
      method: req.method,
      path: req.path,
      host: req.host,
      query: req.query,
      headers: req.headers,
      body,
      status: outcome.kind === 'response' ? outcome.status : 0,
      response: responseBody,
      durationMs: Math.round((this.core.clock.realNow() - started) * 100) / 100,
      outcome: outcome.kind,
    }
    if (account !== undefined) entry.account = account
    if (route) entry.operation = route.operation
    if (verdict.fired.length > 0) entry.fault = verdict.fired[0]!
    if (replayed) entry.idempotentReplay = true
    if (internalError !== undefined) entry.internalError = internalError
    if (bodyTruncated) entry.bodyTruncated = bodyTruncated
    if (responseTruncated) entry.responseTruncated = responseTruncated
    journal.record(
      entry,
      Math.min(rawBytes, journal.maxBodyBytes) +
        Math.min(payloadBytes, journal.maxBodyBytes) +
        req.url.length,
    )
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
      inbox = { capture: (input) => this.core.inbox.capture({ ...input, provider: this.name, account }) }
      this.accountInboxes.set(account, inbox)
    }
    return inbox
  }
}

/**
 * A handler's context. A class rather than an object literal because one is
 * made per request: no spread and no closures on the hot path.
 */
class RequestContext<State> implements ProviderContext<State> {
  readonly provider: string
  readonly store: ProviderServices<State>['store']
  readonly clock: ProviderServices<State>['clock']
  readonly ids: ProviderServices<State>['ids']
  readonly random: ProviderServices<State>['random']
  readonly baseUrl: string
  readonly log: ProviderServices<State>['log']
  readonly later: ProviderServices<State>['later']
  readonly webhooksFor: ProviderServices<State>['webhooksFor']
  readonly inboxFor: ProviderServices<State>['inboxFor']
  readonly state: State
  readonly webhooks: AccountWebhooks
  readonly inbox: ProviderContext<State>['inbox']

  constructor(
    private readonly runtime: ProviderRuntime<State>,
    readonly account: string,
    readonly requestId: string,
  ) {
    const services = runtime.services
    this.provider = services.provider
    this.store = services.store
    this.clock = services.clock
    this.ids = services.ids
    this.random = services.random
    this.baseUrl = services.baseUrl
    this.log = services.log
    this.later = services.later
    this.webhooksFor = services.webhooksFor
    this.inboxFor = services.inboxFor
    this.state = services.store.get(account)
    this.webhooks = services.webhooksFor(account)
    this.inbox = services.inboxFor(account)
  }

  forAccount(account: string): ProviderContext<State> {
    return new RequestContext(this.runtime, account, this.requestId)
  }
}

let lastIsoMs = -1
let lastIso = ''
/** ISO time of a virtual instant; requests in the same millisecond share one string (the journal's hot path). */
function isoAt(epochMs: number): string {
  const ms = Math.floor(epochMs)
  if (ms !== lastIsoMs) {
    lastIsoMs = ms
    lastIso = new Date(ms).toISOString()
  }
  return lastIso
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
