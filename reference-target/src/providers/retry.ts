import type { Clock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { Queryable } from '../db/database.ts'
import type { Defects } from '../defects.ts'
import { sleep } from '../ids.ts'

/** A provider call that did not succeed, normalised from whatever the SDK threw. */
export class ProviderCallError extends Error {
  readonly provider: string
  readonly status: number | undefined
  readonly code: string | undefined
  /** 5xx, 429, timeouts and connection errors: worth another try. */
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  /** The call may have reached the provider (timeout, reset): the outcome is unknown, not failed. */
  readonly ambiguous: boolean
  readonly body: unknown
  constructor(
    provider: string,
    message: string,
    info: {
      status?: number | undefined
      code?: string | undefined
      retryAfterMs?: number | undefined
      body?: unknown
      network?: boolean
    } = {},
  ) {
    super(message)
    this.provider = provider
    this.status = info.status
    this.code = info.code
    this.retryAfterMs = info.retryAfterMs
    this.body = info.body
    this.ambiguous = info.network === true || (info.status !== undefined && info.status >= 500)
    this.retryable =
      info.network === true || info.status === undefined || info.status >= 500 || info.status === 429
  }
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(String(value))
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined
}

export interface CallSpec {
  provider: string
  operation: string
  /** Stable for one business operation (e.g. `payment:pay_1:create`), so every retry and a later reconcile reuse it. */
  idempotencyKey?: string | undefined
  /** Override the configured attempt budget (SMS tries once, then fails over). */
  maxAttempts?: number
}

export interface Attempt {
  /** The key to send, or undefined when the provider has none (or the defect drops it). */
  idempotencyKey: string | undefined
  attempt: number
  timeoutMs: number
}

/**
 * The one retry policy of every outbound provider call: exponential backoff
 * with jitter on 5xx, 429 (honouring Retry-After) and timeouts, the same
 * idempotency key on every attempt, each attempt recorded in provider_calls.
 * After the last attempt the error is thrown for the caller to record.
 */
export class ProviderCaller {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    private readonly policy: Config['retry'],
    private readonly defects: Defects,
  ) {}

  get timeoutMs(): number {
    return this.policy.timeoutMs
  }

  async call<T>(
    spec: CallSpec,
    fn: (attempt: Attempt) => Promise<T>,
    toError: (error: unknown) => ProviderCallError,
  ): Promise<T> {
    const maxAttempts = this.defects.has('no-retry-on-5xx')
      ? 1
      : (spec.maxAttempts ?? this.policy.maxAttempts)
    const idempotencyKey = this.defects.has('no-idempotency-key') ? undefined : spec.idempotencyKey
    for (let attempt = 1; ; attempt++) {
      const started = performance.now()
      try {
        const result = await fn({ idempotencyKey, attempt, timeoutMs: this.policy.timeoutMs })
        await this.record(spec, idempotencyKey, attempt, 'ok', undefined, started)
        return result
      } catch (thrown) {
        const error = thrown instanceof ProviderCallError ? thrown : toError(thrown)
        await this.record(spec, idempotencyKey, attempt, 'error', error, started)
        if (!error.retryable || attempt >= maxAttempts) throw error
        await sleep(this.delay(attempt, error))
      }
    }
  }

  /** Full-range exponential backoff with jitter: base·2^(n-1), half fixed and half random, capped; Retry-After wins when longer. */
  delay(attempt: number, error: ProviderCallError): number {
    if (this.defects.has('retry-without-backoff')) return 0
    const exp = Math.min(this.policy.baseDelayMs * 2 ** (attempt - 1), this.policy.maxDelayMs)
    const jittered = exp / 2 + Math.random() * (exp / 2)
    return Math.max(jittered, Math.min(error.retryAfterMs ?? 0, this.policy.maxDelayMs * 6))
  }

  private async record(
    spec: CallSpec,
    key: string | undefined,
    attempt: number,
    outcome: string,
    error: ProviderCallError | undefined,
    started: number,
  ) {
    await this.db
      .query(
        `INSERT INTO provider_calls (provider, operation, idempotency_key, attempt, outcome, status, error, duration_ms, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          spec.provider,
          spec.operation,
          key ?? null,
          attempt,
          outcome,
          error?.status ?? null,
          error?.message.slice(0, 500) ?? null,
          Math.round(performance.now() - started),
          this.clock.now(),
        ],
      )
      .catch(() => {})
  }
}
