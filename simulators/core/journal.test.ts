import { describe, expect, it } from 'vitest'
import { Journal, type JournalEntry, type NewJournalEntry, nestsDeeperThan } from './journal.ts'

const entry = (i: number, extra: Partial<JournalEntry> = {}): NewJournalEntry => ({
  requestId: `req_${i}`,
  epochMs: i,
  provider: i % 2 ? 'stripe' : 'twilio',
  method: 'POST',
  path: `/v1/things/${i}`,
  host: '127.0.0.1',
  query: {},
  headers: {},
  body: { metadata: { order: `o_${i}` } },
  status: 200,
  response: {},
  durationMs: 1,
  outcome: 'response',
  ...extra,
})

describe('journal', () => {
  it('gives each entry its virtual time as ISO 8601, from the epoch it was recorded at', () => {
    const journal = new Journal(5)
    journal.record(entry(1_796_229_861_123))
    const [read] = journal.list()
    expect(read!.at).toBe('2026-12-02T16:44:21.123Z')
    expect(Object.keys(read!).slice(0, 4)).toEqual(['seq', 'requestId', 'at', 'epochMs'])
  })

  it('keeps only the newest entries once full (ring buffer)', () => {
    const journal = new Journal(5)
    for (let i = 1; i <= 12; i++) journal.record(entry(i))
    const all = journal.list()
    expect(all).toHaveLength(5)
    expect(all.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12])
    expect(journal.lastSeq).toBe(12)
  })

  it('filters by provider, path prefix, field and afterSeq', () => {
    const journal = new Journal(100)
    for (let i = 1; i <= 10; i++) journal.record(entry(i))
    expect(journal.list({ provider: 'stripe' })).toHaveLength(5)
    expect(journal.list({ path: '/v1/things/1*' }).map((e) => e.seq)).toEqual([1, 10])
    expect(journal.list({ where: { 'metadata.order': 'o_7' } }).map((e) => e.seq)).toEqual([7])
    expect(journal.list({ afterSeq: 8 }).map((e) => e.seq)).toEqual([9, 10])
    expect(journal.list({ limit: 2 }).map((e) => e.seq)).toEqual([9, 10])
  })

  it('waitFor resolves on a later matching entry and times out otherwise', async () => {
    const journal = new Journal(10)
    const waiting = journal.waitFor({ provider: 'stripe', status: 402 }, 1000)
    journal.record(entry(2))
    journal.record(entry(3, { status: 402 }))
    expect((await waiting)?.seq).toBe(2)
    expect(await journal.waitFor({ provider: 'nobody' }, 20)).toBeUndefined()
  })

  it('clearing one provider keeps the others', () => {
    const journal = new Journal(10)
    for (let i = 1; i <= 4; i++) journal.record(entry(i))
    journal.clear('stripe')
    expect(journal.list().map((e) => e.provider)).toEqual(['twilio', 'twilio'])
  })

  it('refuses a capacity below one', () => {
    expect(() => new Journal(0)).toThrow(RangeError)
  })
})

describe('journal bounds (issue 10 #3, #4)', () => {
  it('is capped in bytes as well as entries: the oldest go first, the newest always stays', () => {
    const journal = new Journal(1_000, { maxBytes: 1024 * 1024 })
    for (let i = 1; i <= 100; i++) journal.record(entry(i), 64 * 1024)
    expect(journal.totalBytes).toBeLessThanOrEqual(1024 * 1024)
    const kept = journal.list()
    expect(kept.length).toBeLessThan(20)
    expect(kept.at(-1)?.seq).toBe(100)
    journal.record(entry(101), 10 * 1024 * 1024) // one entry over the whole budget still stays
    expect(journal.list().map((e) => e.seq)).toEqual([101])
  })

  it('clearing one provider keeps the byte count of what stays', () => {
    const journal = new Journal(10, { maxBytes: 1024 * 1024 })
    for (let i = 1; i <= 4; i++) journal.record(entry(i), 1000)
    journal.clear('stripe')
    expect(journal.list().map((e) => e.provider)).toEqual(['twilio', 'twilio'])
    expect(journal.totalBytes).toBe(2 * (1000 + 1024))
  })

  it('measures nesting without recursion, however deep', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    expect(nestsDeeperThan(deep, 64)).toBe(true)
    expect(nestsDeeperThan({ a: { b: [1, { c: 2 }] } }, 64)).toBe(false)
    expect(nestsDeeperThan({ a: { b: { c: 1 } } }, 2)).toBe(true)
  })
})
