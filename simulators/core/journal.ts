import { z } from 'zod'
import { isoTime } from './clock.ts'
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
  bodyTruncated: z
    .object({ reason: z.enum(['size', 'depth']), bytes: z.number().int() })
    .optional()
    .describe(
      'the body is stored as the start of its raw text: it was larger or deeper than the journal keeps',
    ),
  responseTruncated: z
    .object({ reason: z.literal('size'), bytes: z.number().int() })
    .optional()
    .describe('the response is stored as the start of its text: it was larger than the journal keeps'),
  internalError: z
    .string()
    .optional()
    .describe("standin failed on this request (not the client's fault): the provider's 5xx was answered"),
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

/**
 * What the ring holds: an entry whose JSON response is kept as the text that
 * went on the wire, parsed when the entry is read. The answer's object then
 * dies young instead of being promoted and marked by every collection: a
 * stored response is one string, not a graph of objects. `at` is formatted
 * from `epochMs` when the entry is read (0.5 µs and a kept string per
 * request, for a field most entries never show).
 */
type StoredEntry = Omit<JournalEntry, 'at'> & { responseJson?: string | undefined }

/** What `record` takes: an entry without the `seq` it assigns and the `at` it derives. */
export type NewJournalEntry = Omit<JournalEntry, 'seq' | 'at'>

/** How much the journal keeps: entries, total bytes, and per body. */
export interface JournalLimits {
  /** Total approximate bytes of all entries; the oldest go first past it. Default 64 MiB. */
  maxBytes?: number
  /** Bodies and responses larger than this are stored as the start of their text. Default 64 KiB. */
  maxBodyBytes?: number
  /** Bodies nested deeper than this are stored as the start of their text. Default 64. */
  maxDepth?: number
}

/** Bytes an entry costs beyond its body and response (headers, ids, the object itself), roughly. */
const ENTRY_OVERHEAD = 1024

export class Journal {
  private readonly ring: (StoredEntry | undefined)[]
  private readonly sizes: number[]
  private next = 0
  private count = 0
  private seq = 0
  private bytes = 0
  private waiters: Waiter[] = []
  readonly maxBytes: number
  readonly maxBodyBytes: number
  readonly maxDepth: number

  constructor(
    readonly capacity: number,
    limits: JournalLimits = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('journal capacity must be a positive integer')
    this.ring = new Array(capacity)
    this.sizes = new Array(capacity).fill(0)
    this.maxBytes = limits.maxBytes ?? 64 * 1024 * 1024
    this.maxBodyBytes = limits.maxBodyBytes ?? 64 * 1024
    this.maxDepth = limits.maxDepth ?? 64
  }

  /** Approximate bytes held by the entries kept. */
  get totalBytes(): number {
    return this.bytes
  }

  get size(): number {
    return this.count
  }

  /**
   * Appends an entry; its `seq` is assigned here. Kept cheap: one of these runs on every request.
   * `responseJson`: the JSON text answered, stored in place of `response` (read back parsed).
   */
  record(entry: NewJournalEntry, bytes = 0, responseJson?: string): void {
    const stored = entry as StoredEntry
    stored.seq = ++this.seq
    if (responseJson !== undefined) stored.responseJson = responseJson
    this.push(stored, bytes + ENTRY_OVERHEAD)
    if (this.waiters.length > 0) {
      this.waiters = this.waiters.filter((waiter) => {
        if (!matches(stored, waiter.filter)) return true
        waiter.resolve(reveal(stored))
        return false
      })
    }
  }

  /** Oldest first; `limit` keeps the newest N. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const found: StoredEntry[] = []
    const count = this.size
    for (let i = 0; i < count; i++) {
      const entry = this.ring[(this.next - count + i + this.capacity) % this.capacity]!
      if (matches(entry, filter)) found.push(entry)
    }
    return (filter.limit !== undefined ? found.slice(-filter.limit) : found).map(reveal)
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
    const kept: [StoredEntry, number][] = []
    if (provider !== undefined) {
      for (let i = 0; i < this.count; i++) {
        const slot = (this.next - this.count + i + this.capacity) % this.capacity
        const entry = this.ring[slot]!
        if (entry.provider !== provider) kept.push([entry, this.sizes[slot]!])
      }
    }
    this.ring.fill(undefined)
    this.sizes.fill(0)
    this.next = 0
    this.count = 0
    this.bytes = 0
    for (const [entry, size] of kept) this.push(entry, size)
  }

  private push(entry: StoredEntry, size: number) {
    if (this.count === this.capacity) this.bytes -= this.sizes[this.next]!
    this.ring[this.next] = entry
    this.sizes[this.next] = size
    this.bytes += size
    this.next = (this.next + 1) % this.capacity
    if (this.count < this.capacity) this.count++
    // Bounded in bytes as well as entries: the oldest go until the rest fit (the newest always stays).
    while (this.bytes > this.maxBytes && this.count > 1) {
      const oldest = (this.next - this.count + this.capacity) % this.capacity
      this.bytes -= this.sizes[oldest]!
      this.ring[oldest] = undefined
      this.sizes[oldest] = 0
      this.count--
    }
  }
}

/** The entry as readers see it (a new object each read): its `at`, and a response kept as JSON text parsed. */
function reveal(stored: StoredEntry): JournalEntry {
  const { seq, requestId, responseJson, ...rest } = stored
  const entry: JournalEntry = { seq, requestId, at: isoTime(stored.epochMs), ...rest }
  if (responseJson !== undefined) entry.response = JSON.parse(responseJson)
  return entry
}

/**
 * Whether a body's bytes leave room for a decoded value deeper than `maxDepth`: each level below the
 * top opens with a `{` or `[` (JSON), or a `[` or `%5B` in a key (a form, a multipart field name).
 * A byte loop, where the walk of the decoded value was 4 % of a SendGrid mail send.
 */
export function mayNestDeeperThan(raw: Buffer, maxDepth: number): boolean {
  let levels = 1
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (
      byte === 0x7b ||
      byte === 0x5b ||
      (byte === 0x25 && raw[i + 1] === 0x35 && ((raw[i + 2] ?? 0) | 0x20) === 0x62)
    ) {
      if (++levels > maxDepth) return true
    }
  }
  return false
}

/**
 * Whether a decoded value nests deeper than `maxDepth`. Recursive, without allocating (it runs on every
 * journaled body past a few hundred bytes): the walk never goes more than `maxDepth + 1` calls deep,
 * however deep the value, so a hostile body cannot overflow the stack.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  return deeperThan(value, maxDepth, 1)
}

function deeperThan(node: unknown, maxDepth: number, depth: number): boolean {
  if (node === null || typeof node !== 'object') return false
  if (depth > maxDepth) return true
  for (const key in node as Record<string, unknown>)
    if (deeperThan((node as Record<string, unknown>)[key], maxDepth, depth + 1)) return true
  return false
}

function matches(entry: Omit<JournalEntry, 'at'>, f: JournalFilter): boolean {
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
