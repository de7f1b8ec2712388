import type { z } from 'zod'
import type { VirtualClock } from './clock.ts'
import type { PlainRequest, PlainResponse } from './http.ts'
import type { CapturedMessage, ProviderCapture } from './messages.ts'
import type { IdMinter } from './random.ts'
import type { AccountStore } from './store.ts'
import type { AccountWebhooks, WebhookSpec } from './webhooks/types.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Services a provider gets outside of a request (for `start`) and inside one. */
export interface ProviderServices<State> {
  provider: string
  store: AccountStore<State>
  clock: VirtualClock
  ids: IdMinter
  /** Seeded uniform [0, 1). */
  random(): number
  /** Public base URL of this provider's port, e.g. `http://127.0.0.1:4704` (hosted page URLs use it). */
  baseUrl: string
  log: Logger
  /** Runs `fn` after `ms` of virtual time; dropped when this provider is reset. */
  later(ms: number, fn: () => void): { cancel(): void }
  /** Webhook tools and inbox for one account. */
  webhooksFor(account: string): AccountWebhooks
  inboxFor(account: string): { capture(input: ProviderCapture): CapturedMessage }
}

/** What a handler gets: the services, bound to the request's account. */
export interface ProviderContext<State> extends ProviderServices<State> {
  account: string
  state: State
  webhooks: AccountWebhooks
  inbox: { capture(input: ProviderCapture): CapturedMessage }
  requestId: string
  /** The same context for another account (hosted pages find their account from the object they open). */
  forAccount(account: string): ProviderContext<State>
}

export type Handler<State, Input> = (
  req: PlainRequest,
  ctx: ProviderContext<State>,
  input: Input,
) => PlainResponse | Promise<PlainResponse>

export interface RouteDefinition<State = unknown, Schema extends z.ZodType = z.ZodType> {
  /** The provider's own name for the operation: 'payment_intents.create', 'messages.create'. */
  operation: string
  method: HttpMethod
  /** Path with `:param` segments (`/v1/payment_intents/:intent`); `:Sid.json` style suffixes work. */
  path: string
  /** Only when the request's Host is one of these (one port serving several real hosts). Routes without hosts match any. */
  hosts?: string[]
  /** Whether `provider.auth` runs first. Default true; hosted browser pages set false. */
  auth?: boolean
  /** Parsed from the query (GET, DELETE) or the body (others) unless `inputFrom` says otherwise. */
  input?: Schema
  inputFrom?: 'query' | 'body' | 'merged'
  /** Whether the provider's idempotency spec applies. Default: when the method is one the spec lists. */
  idempotent?: boolean
  handler: Handler<State, z.output<Schema>>
}

/** A named error of the provider's catalogue: what a `provider-error` fault rule and the routes themselves produce. */
export interface CatalogueEntry {
  summary: string
  respond(params: Record<string, unknown>): PlainResponse
}
export type ErrorCatalogue = Record<string, CatalogueEntry>

/** How the provider answers what never reaches a handler. */
export interface ProviderResponses {
  notFound(req: PlainRequest): PlainResponse
  methodNotAllowed?(req: PlainRequest, allowed: HttpMethod[]): PlainResponse
  invalidBody(
    req: PlainRequest,
    problem: 'malformed' | 'unsupported-media-type' | 'too-large',
    detail: string,
  ): PlainResponse
  invalidInput(req: PlainRequest, issues: z.core.$ZodIssue[], route: RouteDefinition<never>): PlainResponse
  internalError(req: PlainRequest, error: unknown): PlainResponse
}

export interface IdempotencySpec {
  /** Header carrying the key, lower-case ('idempotency-key'). */
  header: string
  /** How long a key is remembered, in virtual ms. */
  ttlMs: number
  /** Methods it applies to. Default ['POST']. */
  methods?: HttpMethod[]
  /**
   * Part of a key's identity besides the account: a key reused under another
   * scope is a different key (runs afresh), not a conflict. Default: none.
   */
  scope?(req: PlainRequest): string
  /** What must be equal for a replay; default method + path + raw body. */
  fingerprint?(req: PlainRequest): string
  /** Same key, other parameters. */
  conflict(req: PlainRequest, key: string): PlainResponse
  /** Same key while the first request is still running. Default: conflict. */
  inFlight?(req: PlainRequest, key: string): PlainResponse
  /** Headers added to a replayed response. */
  replayHeaders?: Record<string, string>
  /** Whether a response is remembered. Default: every response but 5xx (then a retry runs again). */
  shouldStore?(response: PlainResponse): boolean
  /** Optional key validation (length, charset); a response refuses the request. */
  validateKey?(req: PlainRequest, key: string): PlainResponse | undefined
}

export interface TriggerSpec<State> {
  summary: string
  /** Creates whatever objects the event needs and emits it, like a provider CLI's `trigger <event>`. */
  run(ctx: ProviderContext<State>, params: Record<string, unknown>): unknown | Promise<unknown>
}

export interface ProviderDefinition<State = unknown> {
  name: string
  /** Human name for logs and the dashboard. */
  title?: string
  defaultPort: number
  /** The state of one account, made on first use. */
  createState(account: string): State
  /**
   * The account a request acts for, from its credentials; throws a
   * ProviderError (the provider's 401) when they are bad. May read and
   * update the account's state (`services.store.get(account)`): a secret
   * learnt on first use, an IP allow-list.
   */
  authenticate(req: PlainRequest, services: ProviderServices<State>): string
  /**
   * The body as the provider reads it, when that is not the core's reading
   * by content type (JSON, bracket forms, multipart): e.g. flat form fields
   * with repeated keys as lists. Gets the request decoded by the core
   * (`req.body`, `req.rawBody`); what it returns is what handlers, fault
   * rules and the journal see. Throw a BodyDecodeError to refuse the body.
   */
  decode?(req: PlainRequest): unknown
  /**
   * `decode` reads form bodies from `rawBody` itself: the core leaves them
   * undecoded (`body` undefined) rather than build a nested object nothing
   * reads (Twilio's flat forms: about 1 KB and a second pass per request).
   */
  decodesForms?: boolean
  /** Steps of the provider's own in the pipeline (see core/pipeline/index.ts). */
  hooks?: ProviderHooks<State>
  routes: RouteDefinition<State, z.ZodType>[]
  errors: ErrorCatalogue
  responses: ProviderResponses
  /** Largest body accepted, in bytes. Default 1 MiB. */
  bodyLimit?: number
  /**
   * Answer bad credentials before a body that does not decode. Right for
   * providers that authenticate by header in front of their parser; leave it
   * off for those whose credentials travel in the body.
   */
  authBeforeBody?: boolean
  webhooks?: WebhookSpec
  idempotency?: IdempotencySpec
  triggers?: Record<string, TriggerSpec<State>>
  /** Request id minted per request; default `req_` + 14 alphanumerics. */
  requestId?(ids: IdMinter): string
  /** Adds provider headers (Request-Id, rate-limit headers) to every response, errors included. */
  finalize?(
    response: PlainResponse,
    req: PlainRequest,
    meta: { requestId: string; account: string | undefined },
  ): void
  /** Background work (sweeps, schedulers); called once when the runtime starts. */
  start?(services: ProviderServices<State>): void
}

/**
 * Runs after the fault rules and before the route's input is parsed, for
 * every routed request not refused (routes with `auth: false` included,
 * as `anonymous`): return (or throw) the provider's
 * error to answer, or nothing to go on. `scope.headers` are added to the
 * answer, whatever it is.
 */
export type PreValidationHook<State> = (scope: RequestScope<State>) => PlainResponse | undefined

export interface ProviderHooks<State> {
  preValidation?: PreValidationHook<State>[]
}

/** Declares a provider. An identity function that fixes the types. */
export function defineProvider<State>(definition: ProviderDefinition<State>): ProviderDefinition<State> {
  return definition
}

/**
 * Route builder bound to a provider's state type, so handlers see typed
 * `ctx.state` and an `input` typed from the zod schema.
 *
 * @example
 * const route = routesFor<PaymentsState>()
 * export const create = route({
 *   operation: 'payment_intents.create', method: 'POST', path: '/v1/payment_intents',
 *   input: PaymentIntentCreateParams,
 *   handler: (req, ctx, input) => ({ status: 200, body: createIntent(ctx, input) }),
 * })
 */
export function routesFor<State>() {
  return <Schema extends z.ZodType = z.ZodUnknown>(route: RouteDefinition<State, Schema>) =>
    route as unknown as RouteDefinition<State, z.ZodType>
}

/** A provider of any state type, as the hub holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the hub stores providers of different state types side by side
export type AnyProvider = ProviderDefinition<any>

/**
 * What a pre-validation hook sees of a request: the request, its route, the
 * account it acts for, and the headers added to the answer whatever it is
 * (rate-limit headers that must reach a 429 and a 400 alike).
 */
export interface RequestScope<State = unknown> {
  readonly req: PlainRequest
  readonly route: RouteDefinition<State, z.ZodType>
  readonly account: string
  /** The handler's context for this request (made once, on first use). */
  readonly ctx: ProviderContext<State>
  /** Headers added to the answer (the answer's own headers win). */
  headers: Record<string, string> | undefined
}
