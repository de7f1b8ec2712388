import type { PlainRequest, PlainResponse } from './http.ts'
import { copyJson } from './json-copy.ts'
import type { IdempotencySpec } from './provider.ts'
import { BoundedMap } from './store.ts'

interface Remembered {
  fingerprint: string
  expiresAt: number
  /** Undefined while the first request is still running. */
  response: PlainResponse | undefined
}

export type IdempotencyDecision =
  | { kind: 'run'; key: string | undefined }
  | { kind: 'replay'; response: PlainResponse }
  | { kind: 'refuse'; response: PlainResponse }

/**
 * Idempotency keys as payment providers implement them: the first request
 * with a key runs and its response is remembered; the same key with the same
 * parameters replays that response; other parameters, or a request while the
 * first still runs, is refused. Keys are per account and expire in virtual time.
 *
 * Bounded as the store is (`STANDIN_STORE_LIMIT`, 10,000 keys by default): past
 * it the oldest key is forgotten. An SDK that retries sends a key with every
 * POST (stripe-node does), so a load test makes one per request; the cache
 * used to sweep all its keys on every request once it held 100,000 (none had
 * expired: they live 24 h), 4 ms a request, and grew without end.
 */
export class IdempotencyCache {
  private readonly entries = new BoundedMap<string, Remembered>()

  constructor(
    private readonly spec: IdempotencySpec,
    private readonly now: () => number,
  ) {}

  begin(req: PlainRequest, account: string): IdempotencyDecision {
    const key = req.headers[this.spec.header]
    if (key === undefined || key === '') return { kind: 'run', key: undefined }
    const invalid = this.spec.validateKey?.(req, key)
    if (invalid) return { kind: 'refuse', response: invalid }
    // A scoped key is remembered under its scope; the decision carries the scoped key so finish() finds the slot.
    const scoped = this.spec.scope ? `${this.spec.scope(req)}\u0000${key}` : key
    const slot = `${account}\u0000${scoped}`
    const fingerprint =
      this.spec.fingerprint?.(req) ?? `${req.method} ${req.path}\u0000${req.rawBody.toString('latin1')}`
    const now = this.now()
    const existing = this.entries.get(slot)
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint)
        return { kind: 'refuse', response: this.spec.conflict(req, key) }
      if (!existing.response)
        return { kind: 'refuse', response: (this.spec.inFlight ?? this.spec.conflict)(req, key) }
      return {
        kind: 'replay',
        response: {
          ...existing.response,
          headers: { ...existing.response.headers, ...this.spec.replayHeaders },
        },
      }
    }
    this.entries.set(slot, { fingerprint, expiresAt: now + this.spec.ttlMs, response: undefined })
    return { kind: 'run', key: scoped }
  }

  /** Remembers the response of a request that ran with `key` (or forgets the key if it should not be stored). */
  finish(account: string, key: string, response: PlainResponse): void {
    const slot = `${account}\u0000${key}`
    const entry = this.entries.get(slot)
    if (!entry) return
    const store = this.spec.shouldStore ? this.spec.shouldStore(response) : response.status < 500
    if (store) entry.response = snapshot(response)
    else this.entries.delete(slot)
  }

  reset(account?: string): void {
    if (account === undefined) {
      this.entries.clear()
      return
    }
    for (const slot of this.entries.keys()) if (slot.startsWith(`${account}\u0000`)) this.entries.delete(slot)
  }
}

/**
 * The response as it is now: its body may be a stored object (Stripe's answers share with it) that later
 * requests change. A JSON body is copied as JSON sends it (a replay is sent as JSON too), bytes as bytes;
 * `structuredClone` cost more than the rest of a Stripe customer create, and turned a Buffer into a
 * Uint8Array.
 */
function snapshot(response: PlainResponse): PlainResponse {
  const body = response.body
  const copy: PlainResponse = {
    status: response.status,
    body: Buffer.isBuffer(body)
      ? Buffer.from(body)
      : typeof body === 'object' && body !== null
        ? copyJson(body)
        : body,
  }
  if (response.headers !== undefined) copy.headers = { ...response.headers }
  return copy
}
