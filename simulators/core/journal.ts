import { z } from 'zod'
import { readPath } from './http.ts'

/**
 * The request journal: every request a provider received and what it
 * answered, and which rule (if any) changed the answer. A bounded ring buffer,
 * so a long load test keeps the newest entries without growing memory.
 */
export const JournalEntry = z.object({
  seq: z.number().int(),
  requestId: z.string(),
  at: z.string().describe('virtual time, ISO 8601'),
  epochMs: z.number(),
  provider: z.string(),
  account: z.string().optional(),
  operation: z.string().optional(),
  method: z.string(),
  path: z.string(),
  host: z.string(),
  query: z.record(z.string(), z.unknown()),
  headers: z.record(z.string(), z.string().optional()),
  body: z.unknown(),
  status: z.number().int(),
  response: z.unknown(),
  durationMs: z.number(),
  fault: z.object({ ruleId: z.string(), effect: z.string(), explanation: z.string() }).optional(),
  outcome: z.enum(['response', 'reset', 'hang']),
  idempotentReplay: z.boolean().optional(),
})
export type JournalEntry = z.infer<typeof JournalEntry>

export const JournalFilter = z.object({
  provider: z.string().optional(),
  account: z.string().optional(),
  operation: z.string().optional(),
  method: z.string().optional(),
  path: z.string().optional().describe('exact path, or a prefix ending in *'),
  status: z.coerce.number().int().optional(),
  faulted: z.enum(['true', 'false']).optional(),
  afterSeq: z.coerce.number().int().optional().describe('only entries with a larger seq'),
  since: z.coerce.number().optional().describe('only entries at or after this virtual epoch ms'),
  contains: z.string().optional().describe('substring of the JSON of the request body'),
  where: z
    .record(z.string(), z.string())
    .optional()
    .describe('dotted body/query field → expected value, e.g. { "metadata.order_id": "o_1" }'),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
})
export type JournalFilter = z.infer<typeof JournalFilter>

interface Waiter {
  filter: JournalFilter
  resolve: (entry: JournalEntry | undefined) => void
}

export class Journal {
  private readonly ring: (JournalEntry | undefined)[]
  private next = 0
  private count = 0
  private seq = 0
  private waiters: Waiter[] = []

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('journal capacity must be a positive integer')
    this.ring = new Array(capacity)
  }

  get size(): number {
    return this.count
  }

  /** Appends an entry; its `seq` is assigned here. Kept cheap: one of these runs on every request. */
  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const stored = entry as JournalEntry
    stored.seq = ++this.seq
    this.push(stored)
    if (this.waiters.length > 0) {
      this.waiters = this.waiters.filter((waiter) => {
        if (!matches(stored, waiter.filter)) return true
        waiter.resolve(stored)
        return false
      })
    }
    return stored
  }

  /** Oldest first; `limit` keeps the newest N. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = []
    const count = this.size
    for (let i = 0; i < count; i++) {
      const entry = this.ring[(this.next - count + i + this.capacity) % this.capacity]!
      if (matches(entry, filter)) out.push(entry)
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out
  }

  /** The first entry matching `filter` recorded after `afterSeq` (or now), waiting up to `timeoutMs`. */
  waitFor(filter: JournalFilter, timeoutMs: number): Promise<JournalEntry | undefined> {
    const existing = filter.afterSeq !== undefined ? this.list(filter)[0] : undefined
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter,
        resolve: (entry) => {
          clearTimeout(timer)
          resolve(entry)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(undefined)
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  get lastSeq(): number {
    return this.seq
  }

  /** Forgets entries (all, or one provider's). `seq` keeps counting so `afterSeq` cursors held by clients stay meaningful. */
  clear(provider?: string): void {
    const kept = provider === undefined ? [] : this.list().filter((e) => e.provider !== provider)
    this.ring.fill(undefined)
    this.next = 0
    this.count = 0
    for (const entry of kept) this.push(entry)
  }

  private push(entry: JournalEntry) {
    this.ring[this.next] = entry
    this.next = (this.next + 1) % this.capacity
    if (this.count < this.capacity) this.count++
  }
}

function matches(entry: JournalEntry, f: JournalFilter): boolean {
  if (f.provider !== undefined && entry.provider !== f.provider) return false
  if (f.account !== undefined && entry.account !== f.account) return false
  if (f.operation !== undefined && entry.operation !== f.operation) return false
  if (f.method !== undefined && entry.method !== f.method.toUpperCase()) return false
  if (f.path !== undefined) {
    if (f.path.endsWith('*')) {
      if (!entry.path.startsWith(f.path.slice(0, -1))) return false
    } else if (entry.path !== f.path) return false
  }
  if (f.status !== undefined && entry.status !== f.status) return false
  if (f.faulted !== undefined && (entry.fault !== undefined) !== (f.faulted === 'true')) return false
  if (f.afterSeq !== undefined && entry.seq <= f.afterSeq) return false
  if (f.since !== undefined && entry.epochMs < f.since) return false
  if (f.contains !== undefined && !JSON.stringify(entry.body ?? '').includes(f.contains)) return false
  if (f.where) {
    for (const [path, expected] of Object.entries(f.where)) {
      const value = readPath(entry.body, path) ?? readPath(entry.query, path)
      if (value === undefined || String(value) !== expected) return false
    }
  }
  return true
}
