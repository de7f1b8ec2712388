import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Clock } from '../src/clock.ts'
import { makeConfig } from '../src/config.ts'
import { type Database, openDatabase } from '../src/db/database.ts'
import { Defects } from '../src/defects.ts'
import { claim, enqueue, LEASE_MS } from '../src/jobs/queue.ts'
import { JobWorker, RetryLater } from '../src/jobs/worker.ts'
import { ProviderCallError, ProviderCaller } from '../src/providers/retry.ts'
import { databaseKind, freshDb, type TestDb } from './harness.ts'

const log = { error: () => {} }
let testDb: TestDb
let db: Database
beforeAll(async () => {
  testDb = await freshDb()
  db = testDb.database ?? (await openDatabase({ databaseUrl: testDb.databaseUrl }))
}, 120_000)
afterAll(async () => {
  if (!testDb.database) await db.close()
  await testDb.drop()
})

describe(`job table (${databaseKind})`, () => {
  it('runs every job exactly once with two workers on one database', async () => {
    const clock = new Clock()
    const runs = new Map<number, number>()
    const handler = async (payload: Record<string, unknown>) => {
      const n = Number(payload.n)
      runs.set(n, (runs.get(n) ?? 0) + 1)
      await new Promise((r) => setTimeout(r, 2))
    }
    for (let n = 0; n < 40; n++) await enqueue(db, clock, 'test.once', { n })
    const a = new JobWorker(db, clock, { 'test.once': handler }, { pollMs: 5, batch: 3, log })
    const b = new JobWorker(db, clock, { 'test.once': handler }, { pollMs: 5, batch: 3, log })
    await Promise.all([a.drain(), b.drain()])
    expect(runs.size).toBe(40)
    expect([...runs.values()].every((c) => c === 1)).toBe(true)
  })

  it('dedupes by key, backs off failures, and parks a job after max attempts', async () => {
    const clock = new Clock()
    expect(
      await enqueue(db, clock, 'test.fail', {}, { dedupeKey: 'only-once', maxAttempts: 3 }),
    ).toBeDefined()
    expect(await enqueue(db, clock, 'test.fail', {}, { dedupeKey: 'only-once' })).toBeUndefined()
    const worker = new JobWorker(
      db,
      clock,
      { 'test.fail': async () => Promise.reject(new Error('boom')) },
      { pollMs: 5, log },
    )
    await worker.runOnce()
    let [job] = await db.query<{ attempts: number; status: string; run_at: Date }>(
      `SELECT * FROM jobs WHERE dedupe_key = 'only-once'`,
    )
    expect(job).toMatchObject({ attempts: 1, status: 'queued' })
    expect(job!.run_at.getTime()).toBeGreaterThan(clock.nowMs())
    for (let i = 0; i < 2; i++) {
      clock.advance(10 * 60_000)
      await worker.runOnce()
    }
    ;[job] = await db.query(`SELECT * FROM jobs WHERE dedupe_key = 'only-once'`)
    expect(job).toMatchObject({ attempts: 3, status: 'failed' })
  })

  it('gives a crashed worker’s job to another worker once its lease runs out', async () => {
    const clock = new Clock()
    await enqueue(db, clock, 'test.lease', { x: 1 }, { dedupeKey: 'lease-1' })
    const claimed = await claim(db, clock, 100)
    expect(claimed.some((j) => j.dedupe_key === 'lease-1')).toBe(true)
    // The worker dies here. Nobody else can take it while the lease holds…
    expect((await claim(db, clock, 100)).some((j) => j.dedupe_key === 'lease-1')).toBe(false)
    clock.advance(LEASE_MS + 1)
    let ran = 0
    const worker = new JobWorker(db, clock, { 'test.lease': async () => void ran++ }, { pollMs: 5, log })
    await worker.drain()
    expect(ran).toBe(1)
  })

  it('reschedules on RetryLater without spending an attempt', async () => {
    const clock = new Clock()
    await enqueue(db, clock, 'test.later', {}, { dedupeKey: 'later-1' })
    const worker = new JobWorker(
      db,
      clock,
      { 'test.later': async () => Promise.reject(new RetryLater(new Date(clock.nowMs() + 5000))) },
      { pollMs: 5, log },
    )
    await worker.runOnce()
    const [job] = await db.query<{ attempts: number; status: string }>(
      `SELECT * FROM jobs WHERE dedupe_key = 'later-1'`,
    )
    expect(job).toMatchObject({ attempts: 0, status: 'queued' })
  })
})

describe('retry policy', () => {
  const policy = makeConfig().retry
  it('backs off exponentially with jitter and honours Retry-After', () => {
    const caller = new ProviderCaller(
      db,
      new Clock(),
      { ...policy, baseDelayMs: 100, maxDelayMs: 10_000 },
      new Defects(),
    )
    const err = new ProviderCallError('x', 'boom', { status: 503 })
    for (const n of [1, 2, 3, 4]) {
      const d = caller.delay(n, err)
      expect(d).toBeGreaterThanOrEqual(50 * 2 ** (n - 1))
      expect(d).toBeLessThanOrEqual(100 * 2 ** (n - 1))
    }
    expect(
      caller.delay(1, new ProviderCallError('x', 'slow down', { status: 429, retryAfterMs: 3000 })),
    ).toBe(3000)
    const noBackoff = new ProviderCaller(db, new Clock(), policy, new Defects(['retry-without-backoff']))
    expect(noBackoff.delay(3, err)).toBe(0)
  })

  it('classifies errors: 5xx, 429 and network retryable; 4xx final; timeouts ambiguous', () => {
    expect(new ProviderCallError('x', '', { status: 502 }).retryable).toBe(true)
    expect(new ProviderCallError('x', '', { status: 429 }).retryable).toBe(true)
    expect(new ProviderCallError('x', '', { status: 402 }).retryable).toBe(false)
    expect(new ProviderCallError('x', '', { network: true })).toMatchObject({
      retryable: true,
      ambiguous: true,
    })
  })

  it('retries with the same idempotency key, then gives up after the limit', async () => {
    const caller = new ProviderCaller(
      db,
      new Clock(),
      { ...policy, maxAttempts: 3, baseDelayMs: 1 },
      new Defects(),
    )
    const keys: (string | undefined)[] = []
    await expect(
      caller.call(
        { provider: 'x', operation: 'op', idempotencyKey: 'k1' },
        async (a) => {
          keys.push(a.idempotencyKey)
          throw new ProviderCallError('x', 'down', { status: 503 })
        },
        (e) => e as ProviderCallError,
      ),
    ).rejects.toThrow('down')
    expect(keys).toEqual(['k1', 'k1', 'k1'])
  })
})
