import type { PlainRequest, PlainResponse } from './http.ts'
import type { IdempotencySpec } from './provider.ts'

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
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Remembered>()

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
    if (this.entries.size > 100_000) this.sweep(now)
    return { kind: 'run', key: scoped }
  }

  /** Remembers the response of a request that ran with `key` (or forgets the key if it should not be stored). */
  finish(account: string, key: string, response: PlainResponse): void {
    const slot = `${account}\u0000${key}`
    const entry = this.entries.get(slot)
    if (!entry) return
    const store = this.spec.shouldStore ? this.spec.shouldStore(response) : response.status < 500
    if (store) entry.response = structuredClone(response)
    else this.entries.delete(slot)
  }

  reset(account?: string): void {
    if (account === undefined) {
      this.entries.clear()
      return
    }
    for (const slot of this.entries.keys()) if (slot.startsWith(`${account}\u0000`)) this.entries.delete(slot)
  }

  private sweep(now: number) {
    for (const [slot, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(slot)
  }
}
