/**
 * The Target adapter: how journeys talk to the app under test. Every flow step
 * goes through `run(step, vars, session)`; the profile says how the app's HTTP
 * API spells it, and a TypeScript module may implement any step the profile
 * cannot express (mixed with the profile step by step). Nothing here knows any
 * particular app.
 */
import type { HttpStep, OutputSpec, PaymentProvider, Profile, StepDefinition } from './profile.ts'
import {
  type Flow,
  REFUSALS,
  type RefusalName,
  STEPS,
  type StepName,
  type StepOut,
  type StepVars,
} from './steps.ts'
import { pointer, render, renderText, type Vars } from './template.ts'

/** A signed-in user as the journeys hold it. */
export interface Session {
  token: string
  userId?: string
  phone?: string
}

export interface StepResult<S extends StepName = StepName> {
  step: S
  status: number
  ok: boolean
  body: unknown
  headers: Record<string, string>
  out: StepOut<S>
}

/** What an escape-hatch module gets: the profile and the adapter's own HTTP step runner. */
export interface StepContext {
  profile: Profile
  session?: Session
  /** Runs an HTTP step spec as the adapter would (auth, templates, outputs). */
  http(spec: HttpStep, vars: Vars): Promise<StepResult>
}
export type StepImplementation = (vars: Vars, context: StepContext) => Promise<StepResult>
export interface TargetModule {
  steps: Partial<Record<StepName, StepImplementation>>
}

export class TargetError extends Error {
  readonly code = 'STANDIN_TARGET'
}

/** One request/answer pair, kept so a failed journey can show what was said. */
export interface Exchange {
  step: string
  request: { method: string; url: string; body?: unknown }
  response?: { status: number; body: unknown }
  error?: string
  ms: number
}

export interface TargetOptions {
  module?: TargetModule
  /** Called around each step, e.g. to make it a Playwright/Allure step. */
  wrapStep?: <T>(title: string, body: () => Promise<T>) => Promise<T>
  timeoutMs?: number
  /** Headers added to every request of this adapter (e.g. a per-test X-Forwarded-For). */
  headers?: Record<string, string>
}

export class Target {
  readonly exchanges: Exchange[] = []
  constructor(
    readonly profile: Profile,
    private readonly options: TargetOptions = {},
  ) {}

  get baseUrl(): string {
    return this.profile.baseUrl.replace(/\/$/, '')
  }

  // ── capabilities ────────────────────────────────────────────────────────
  supports(flow: Flow): boolean {
    return this.profile.capabilities.flows.includes(flow)
  }
  paymentMethods(provider: PaymentProvider): readonly string[] {
    return this.profile.capabilities.payments[provider] ?? []
  }
  hasStep(step: StepName): boolean {
    return Boolean(this.profile.steps[step] || this.options.module?.steps[step])
  }
  /** Whether journeys can move the app's clock with standin's. */
  get canMoveClock(): boolean {
    return this.hasStep('setClock') || this.hasStep('advanceClock')
  }
  /** Why a journey needing these does not apply to this app, or undefined when it does. */
  notApplicable(needs: {
    flow?: Flow
    payment?: [PaymentProvider, string?]
    subscription?: 'stripe' | 'toss'
    sms?: string
    clock?: boolean
    steps?: StepName[]
    /** Business rules the journey asserts, as dotted paths into the profile's rules (e.g. 'otp.lockoutAfter'). */
    rules?: string[]
  }): string | undefined {
    const c = this.profile.capabilities
    if (needs.flow && !this.supports(needs.flow)) return `flow "${needs.flow}" not declared by the profile`
    if (needs.payment) {
      const [provider, method] = needs.payment
      const methods = c.payments[provider]
      if (!methods) return `payments with ${provider} not declared by the profile`
      if (method && !methods.includes(method as never))
        return `${provider} ${method} not declared by the profile`
    }
    if (needs.subscription && !c.subscriptions.includes(needs.subscription))
      return `subscriptions with ${needs.subscription} not declared by the profile`
    if (needs.sms && !c.sms.includes(needs.sms as never))
      return `SMS through ${needs.sms} not declared by the profile`
    if (needs.clock && !this.canMoveClock)
      return "the app's clock cannot be moved (no setClock/advanceClock step)"
    for (const step of needs.steps ?? [])
      if (!this.hasStep(step)) return `step "${step}" not declared by the profile`
    for (const rule of needs.rules ?? []) {
      const value = rule
        .split('.')
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], this.profile.rules)
      if (value === undefined || value === null) return `rule "rules.${rule}" not declared by the profile`
    }
    return undefined
  }

  // ── steps ───────────────────────────────────────────────────────────────
  async run<S extends StepName>(step: S, vars: StepVars<S> = {}, session?: Session): Promise<StepResult<S>> {
    const title = `${step}(${describeVars(vars)})`
    const go = async () => {
      const custom = this.options.module?.steps[step]
      if (custom) return (await custom(vars as Vars, this.context(session))) as StepResult<S>
      const spec = this.profile.steps[step]
      if (!spec)
        throw new TargetError(
          `Failed to run step "${step}": the profile "${this.profile.name}" does not declare it.`,
        )
      return (await this.http(
        step,
        chooseVariant(step, spec, vars as Vars),
        vars as Vars,
        session,
      )) as StepResult<S>
    }
    return this.options.wrapStep ? this.options.wrapStep(title, go) : go()
  }

  /** Runs a step and throws unless the app accepted it (2xx). */
  async must<S extends StepName>(step: S, vars: StepVars<S> = {}, session?: Session): Promise<StepResult<S>> {
    const result = await this.run(step, vars, session)
    if (!result.ok)
      throw new TargetError(
        `The app refused step "${step}" with HTTP ${result.status}: ${JSON.stringify(result.body).slice(0, 500)}`,
      )
    return result
  }

  /** Builds a session from the sign-in step's answer. */
  sessionFrom(result: StepResult<'submitOtp'>, phone?: string): Session {
    const token = result.out.token
    if (typeof token !== 'string' || !token)
      throw new TargetError(
        `Failed to sign in: step "submitOtp" answered HTTP ${result.status} without a token where the profile says it is.`,
      )
    return { token, userId: result.out.userId === undefined ? undefined : String(result.out.userId), phone }
  }

  // ── refusals ────────────────────────────────────────────────────────────
  /** Whether `result` is the app's answer for the named refusal, as the profile declares it. */
  isRefusal(result: StepResult, name: RefusalName): boolean {
    const refusal = this.refusal(name)
    const statuses = Array.isArray(refusal.status) ? refusal.status : [refusal.status]
    if (!statuses.includes(result.status)) return false
    if (refusal.code === undefined || this.profile.errorCodePointer === undefined) return true
    return pointer(result.body, this.profile.errorCodePointer) === refusal.code
  }
  refusal(name: RefusalName) {
    const refusal = this.profile.refusals[name]
    if (!refusal)
      throw new TargetError(
        `The profile "${this.profile.name}" does not say how the app refuses ${REFUSALS[name]} (refusals.${name}).`,
      )
    return refusal
  }
  describe(result: StepResult): string {
    return `HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`
  }

  // ── HTTP ────────────────────────────────────────────────────────────────
  private context(session?: Session): StepContext {
    return {
      profile: this.profile,
      session,
      http: (spec, vars) => this.http('custom' as StepName, spec, vars, session),
    }
  }

  private async http(step: StepName, spec: HttpStep, vars: Vars, session?: Session): Promise<StepResult> {
    const all: Vars = {
      ...vars,
      ...(session ? { session, token: session.token, userId: session.userId } : {}),
    }
    if (session && vars.userId !== undefined) all.userId = vars.userId
    let path = renderText(spec.path, all, true)
    const query = spec.query
      ? new URLSearchParams(render(spec.query, all) as Record<string, string>)
      : undefined
    if (query?.size) path += `${path.includes('?') ? '&' : '?'}${query}`
    const url = `${this.baseUrl}${path}`
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(this.profile.headers ? render(this.profile.headers, all) : {}),
      ...this.options.headers,
      ...(spec.headers ? render(spec.headers, all) : {}),
    }
    const needsAuth = spec.auth ?? STEPS[step]?.auth ?? true
    if (needsAuth) {
      if (!session) throw new TargetError(`Failed to run step "${step}": it needs a signed-in user.`)
      const auth = this.profile.auth
      if (auth.via === 'header') headers[auth.header.toLowerCase()] = renderText(auth.value, all)
      else headers.cookie = `${auth.name}=${session.token}`
    }
    let body: string | undefined
    const rendered = spec.body === undefined ? undefined : render(spec.body, all)
    if (rendered !== undefined && spec.method !== 'GET') {
      if (spec.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded'
        body = new URLSearchParams(
          Object.entries(rendered as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        ).toString()
      } else {
        headers['content-type'] = 'application/json'
        body = JSON.stringify(rendered)
      }
    }
    const exchange: Exchange = { step, request: { method: spec.method, url, body: rendered }, ms: 0 }
    this.exchanges.push(exchange)
    const started = Date.now()
    let response: Response
    try {
      response = await fetch(url, {
        method: spec.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      })
    } catch (error) {
      exchange.error = (error as Error).message
      exchange.ms = Date.now() - started
      throw new TargetError(
        `Failed to reach the app for step "${step}" at ${spec.method} ${url}: ${exchange.error}`,
      )
    }
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON: outputs by pointer then find nothing, headers still work
    }
    exchange.ms = Date.now() - started
    exchange.response = { status: response.status, body: parsed }
    const responseHeaders: Record<string, string> = {}
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value
    })
    const setCookies = response.headers.getSetCookie()
    const out: Record<string, unknown> = {}
    for (const [name, o] of Object.entries(spec.out ?? {}))
      out[name] = extract(o, parsed, responseHeaders, setCookies)
    return {
      step,
      status: response.status,
      ok: response.status >= 200 && response.status < 300,
      body: parsed,
      headers: responseHeaders,
      out,
    }
  }
}

/** The first variant whose `when` matches the step's variables (a variant without `when` always does). */
function chooseVariant(step: string, definition: StepDefinition, vars: Vars): HttpStep {
  const variants = Array.isArray(definition) ? definition : [definition]
  const chosen = variants.find((v) =>
    Object.entries(v.when ?? {}).every(([name, want]) =>
      (Array.isArray(want) ? want : [want]).includes(String(vars[name])),
    ),
  )
  if (!chosen)
    throw new TargetError(
      `Failed to run step "${step}": none of its variants matches ${JSON.stringify(vars)} (see each variant's "when").`,
    )
  return chosen
}

function extract(
  spec: OutputSpec,
  body: unknown,
  headers: Record<string, string>,
  cookies: string[],
): unknown {
  if (typeof spec === 'string') return pointer(body, spec)
  let value: unknown
  if (spec.header !== undefined) value = headers[spec.header.toLowerCase()]
  else if (spec.cookie !== undefined) {
    const prefix = `${spec.cookie}=`
    value = cookies
      .find((c) => c.startsWith(prefix))
      ?.slice(prefix.length)
      .split(';')[0]
  } else value = pointer(body, spec.pointer ?? '')
  if (spec.each !== undefined)
    value = Array.isArray(value) ? value.map((item) => pointer(item, spec.each!)) : []
  if (spec.map) {
    const map = spec.map
    const mapOne = (v: unknown) => (typeof v === 'string' && v in map ? map[v] : v)
    value = Array.isArray(value) ? value.map(mapOne) : mapOne(value)
  }
  return value
}

function describeVars(vars: object): string {
  return Object.entries(vars)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ')
    .slice(0, 200)
}
