import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testkit } from '../testkit/index.ts'
import { type RunningProviders, startProviders } from './testing.ts'

let sims: RunningProviders
const url = (path: string) => `${sims.url('testkit')}${path}`
const headers = (account = 'a', extra: Record<string, string> = {}) => ({
  authorization: `Bearer tk_${account}`,
  ...extra,
})
const form = { 'content-type': 'application/x-www-form-urlencoded' }

beforeAll(async () => {
  sims = await startProviders([testkit], { seed: 3 })
})
afterAll(() => sims.close())
beforeEach(() => sims.core.reset())

describe('the request pipeline', () => {
  it('decodes nested forms, JSON and multipart into the same input', async () => {
    const bodies: [Record<string, string>, BodyInit][] = [
      [form, 'name=w&size=3&metadata[order]=o_1'],
      [
        { 'content-type': 'application/json' },
        JSON.stringify({ name: 'w', size: 3, metadata: { order: 'o_1' } }),
      ],
    ]
    const multipart = new FormData()
    multipart.append('name', 'w')
    multipart.append('size', '3')
    multipart.append('metadata[order]', 'o_1')
    bodies.push([{}, multipart])
    for (const [type, body] of bodies) {
      const widget = await fetch(url('/v1/widgets'), {
        method: 'POST',
        headers: headers('a', type),
        body,
      }).then((r) => r.json())
      expect(widget).toMatchObject({ object: 'widget', name: 'w', size: 3, metadata: { order: 'o_1' } })
    }
  })

  it('partitions state by the account the credentials name', async () => {
    await fetch(url('/v1/widgets'), { method: 'POST', headers: headers('one', form), body: 'name=mine' })
    const one = await fetch(url('/v1/widgets'), { headers: headers('one') }).then((r) => r.json())
    const two = await fetch(url('/v1/widgets'), { headers: headers('two') }).then((r) => r.json())
    expect(one.data).toHaveLength(1)
    expect(two.data).toHaveLength(0)
  })

  it("answers bad input in the provider's own shape", async () => {
    const cases: [RequestInit, number, string][] = [
      [
        { method: 'POST', headers: headers('a', { 'content-type': 'application/json' }), body: '{"name":' },
        400,
        'invalid_body',
      ],
      [
        { method: 'POST', headers: headers('a', { 'content-type': 'application/xml' }), body: '<a/>' },
        400,
        'invalid_body',
      ],
      [{ method: 'POST', headers: headers('a', form), body: 'size=3' }, 400, 'parameter_invalid'],
      [{ method: 'POST', headers: headers('a', form), body: 'name=x&colour=red' }, 400, 'parameter_unknown'],
      [{ method: 'POST', headers: headers('a', form), body: `name=${'x'.repeat(70_000)}` }, 413, 'too_large'],
      [
        { method: 'POST', headers: { ...form, authorization: 'Bearer nope' }, body: 'name=x' },
        401,
        'unauthorized',
      ],
      [{ method: 'DELETE', headers: headers('a') }, 404, 'unknown_route'],
    ]
    for (const [init, status, code] of cases) {
      const response = await fetch(url('/v1/widgets'), init)
      expect([response.status, (await response.json()).error.code]).toEqual([status, code])
    }
    const unknown = await fetch(url('/v2/nothing'), { headers: headers() })
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.message).toBe('Unrecognized request URL (GET: /v2/nothing).')
  })

  it('answers a broken body before bad credentials unless the provider checks auth first', async () => {
    const broken = {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{',
    }
    const response = await fetch(url('/v1/widgets'), broken)
    expect([response.status, (await response.json()).error.code]).toEqual([400, 'invalid_body'])
  })

  it('replays an idempotent request and refuses the same key with other parameters', async () => {
    const post = (body: string, key: string) =>
      fetch(url('/v1/widgets'), {
        method: 'POST',
        headers: headers('a', { ...form, 'idempotency-key': key }),
        body,
      })
    const first = await post('name=once', 'k1')
    const replay = await post('name=once', 'k1')
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(await replay.json()).toEqual(await first.json())
    const conflict = await post('name=other', 'k1')
    expect(conflict.status).toBe(400)
    expect((await conflict.json()).error.code).toBe('idempotency_error')
    const list = await fetch(url('/v1/widgets'), { headers: headers() }).then((r) => r.json())
    expect(list.data).toHaveLength(1)
  })

  it('keys expire with virtual time', async () => {
    const post = () =>
      fetch(url('/v1/widgets'), {
        method: 'POST',
        headers: headers('a', { ...form, 'idempotency-key': 'k2' }),
        body: 'name=again',
      })
    await post()
    sims.core.clock.advance(25 * 3_600_000)
    const later = await post()
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    const list = await fetch(url('/v1/widgets'), { headers: headers() }).then((r) => r.json())
    expect(list.data).toHaveLength(2)
  })

  it('mints the same ids from the same seed', async () => {
    const ids = async () => {
      const run = await startProviders([testkit], { seed: 99 })
      const out: string[] = []
      for (let i = 0; i < 3; i++) {
        const w = await fetch(`${run.url('testkit')}/v1/widgets`, {
          method: 'POST',
          headers: headers('a', form),
          body: 'name=x',
        }).then((r) => r.json())
        out.push(w.id)
      }
      await run.close()
      return out
    }
    expect(await ids()).toEqual(await ids())
  })

  it('journals every request and response', async () => {
    await fetch(url('/v1/widgets'), {
      method: 'POST',
      headers: headers('j', form),
      body: 'name=journaled&metadata[o]=1',
    })
    await fetch(url('/v1/widgets/wid_missing'), { headers: headers('j') })
    const entries = sims.core.journal.list({ provider: 'testkit', account: 'j' })
    expect(entries.map((e) => [e.operation, e.status])).toEqual([
      ['widgets.create', 200],
      ['widgets.retrieve', 404],
    ])
    expect(entries[0]!.body).toEqual({ name: 'journaled', metadata: { o: '1' } })
  })

  it('survives a burst of garbage and keeps serving', async () => {
    const garbage: RequestInit[] = [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '\u0000\u0001{{{{' },
      {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x\r\nbroken',
      },
      { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'no boundary' },
      {
        method: 'PATCH',
        headers: { authorization: 'Basic %%%' },
        body: 'a[b][c][d][e][f][g][h][i][j][k][l][m][n][o]=1',
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '%E0%A4%A=&&&==',
      },
    ]
    const paths = [
      '/v1/widgets',
      '/v1/widgets/%ZZ',
      '/%00',
      '/v1/widgets/../../etc/passwd',
      `/${'a'.repeat(5000)}`,
    ]
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        fetch(url(paths[i % paths.length]!), garbage[i % garbage.length]),
      ),
    )
    for (const r of results) if (r.status === 'fulfilled') expect(r.value.status).toBeLessThan(500)
    expect((await fetch(url('/hello'))).status).toBe(200)
  })
})
