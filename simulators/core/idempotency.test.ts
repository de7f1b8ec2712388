import { afterEach, describe, expect, it } from 'vitest'
import type { PlainRequest } from './http.ts'
import { IdempotencyCache } from './idempotency.ts'
import { getStoreLimit, setStoreLimit } from './store.ts'

const spec = {
  header: 'idempotency-key',
  ttlMs: 86_400_000,
  conflict: () => ({ status: 409, body: { error: 'conflict' } }),
}
const request = (key: string, body = '{}') =>
  ({
    method: 'POST',
    path: '/v1/things',
    headers: { 'idempotency-key': key },
    rawBody: Buffer.from(body),
  }) as unknown as PlainRequest

/** A request that runs, then answers `body`: what the pipeline does with a key. */
function run(cache: IdempotencyCache, key: string, body: unknown) {
  const decision = cache.begin(request(key), 'acct')
  if (decision.kind !== 'run') return decision
  cache.finish('acct', decision.key!, { status: 200, headers: { 'x-a': '1' }, body })
  return decision
}

describe('idempotency cache', () => {
  const limit = getStoreLimit()
  afterEach(() => setStoreLimit(limit))

  it('replays the response as it was, though the object answered changes afterwards', () => {
    const cache = new IdempotencyCache(spec, () => 0)
    const stored = { id: 'thing_1', nested: { status: 'pending' }, list: [{ n: 1 }] }
    run(cache, 'k1', stored)
    stored.nested.status = 'done'
    stored.list[0]!.n = 2
    const replay = cache.begin(request('k1'), 'acct')
    expect(replay.kind).toBe('replay')
    expect(replay.kind === 'replay' && replay.response).toEqual({
      status: 200,
      headers: { 'x-a': '1' },
      body: { id: 'thing_1', nested: { status: 'pending' }, list: [{ n: 1 }] },
    })
  })

  it('replays a body of bytes as bytes (a Buffer, not a Uint8Array)', () => {
    const cache = new IdempotencyCache(spec, () => 0)
    const bytes = Buffer.from('%PDF-1.4')
    run(cache, 'pdf', bytes)
    bytes[0] = 0
    const replay = cache.begin(request('pdf'), 'acct')
    const body = replay.kind === 'replay' ? replay.response.body : undefined
    expect(Buffer.isBuffer(body)).toBe(true)
    expect(String(body)).toBe('%PDF-1.4')
  })

  it('keeps at most the store limit of keys, forgetting the oldest', () => {
    setStoreLimit(1_000)
    const cache = new IdempotencyCache(spec, () => 0)
    for (let i = 0; i < 5_000; i++) run(cache, `k${i}`, { i })
    // The oldest key is forgotten (it runs again); a recent one replays.
    expect(cache.begin(request('k0'), 'acct').kind).toBe('run')
    expect(cache.begin(request('k4999'), 'acct').kind).toBe('replay')
  })
})
