import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  advance,
  balance,
  eventually,
  grant,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  type User,
  withDefects,
} from './harness.ts'

let sims: Sims
let t: TestApp
beforeAll(async () => {
  sims = await startSims()
  t = await startApp(sims)
}, 180_000)
afterAll(async () => {
  await t?.close()
  await sims?.close()
})

async function match(a: User, b: User): Promise<string> {
  const first = await t.http.post(`/v1/users/${b.userId}/like`).set(a.auth)
  expect(first.body.match).toBeNull()
  const second = await t.http.post(`/v1/users/${a.userId}/like`).set(b.auth)
  expect(second.status).toBe(200)
  return second.body.match.id as string
}

describe('matching and chat', () => {
  it('discovers, likes, matches on a mutual like and emails both users', async () => {
    const a = await signUp(t, { name: 'Ana' })
    const b = await signUp(t, { name: 'Ben' })
    const found = await t.http.get('/v1/discovery?limit=100').set(a.auth)
    expect(found.body.data.map((u: { id: string }) => u.id)).toContain(b.userId)
    const since = sims.core.clock.now()
    const matchId = await match(a, b)
    const matches = await t.http.get('/v1/matches').set(a.auth)
    expect(matches.body.data[0]).toMatchObject({ id: matchId, user: { id: b.userId } })
    const mail = await sims.core.inbox.waitFor(
      { to: `u${b.phone.slice(1)}@example.com`, channel: 'email', since },
      8000,
    )
    expect(mail?.subject).toContain('Ana')
    const after = await t.http.get('/v1/discovery?limit=100').set(a.auth)
    expect(after.body.data.map((u: { id: string }) => u.id)).not.toContain(b.userId)
  })

  it('charges 1 credit per message and answers 402 when credits run out', async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const matchId = await match(a, b)
    await grant(t, a.userId, 2)
    for (let i = 0; i < 2; i++)
      expect(
        (
          await t.http
            .post(`/v1/matches/${matchId}/messages`)
            .set(a.auth)
            .send({ text: `hi ${i}` })
        ).status,
      ).toBe(201)
    const refused = await t.http
      .post(`/v1/matches/${matchId}/messages`)
      .set(a.auth)
      .send({ text: 'one more' })
    expect(refused.status).toBe(402)
    expect(refused.body.error.code).toBe('insufficient_credits')
    const history = await t.http.get(`/v1/matches/${matchId}/messages`).set(b.auth)
    expect(history.body.data).toHaveLength(2)
    expect(await balance(t, a)).toBe(0)
  })

  it('sends without credit with chat-without-credit-check', async () => {
    await withDefects(t, ['chat-without-credit-check'], async () => {
      const a = await signUp(t)
      const b = await signUp(t)
      const matchId = await match(a, b)
      expect(
        (await t.http.post(`/v1/matches/${matchId}/messages`).set(a.auth).send({ text: 'free?' })).status,
      ).toBe(201)
    })
  })

  it('refuses bad input and strangers', async () => {
    const a = await signUp(t)
    const stranger = await signUp(t)
    expect((await t.http.post(`/v1/users/${a.userId}/like`).set(a.auth)).body.error.field).toBe('id')
    expect((await t.http.post('/v1/users/usr_nobody/like').set(a.auth)).status).toBe(404)
    const b = await signUp(t)
    const matchId = await match(a, b)
    expect((await t.http.get(`/v1/matches/${matchId}/messages`).set(stranger.auth)).status).toBe(404)
    expect(
      (await t.http.post(`/v1/matches/${matchId}/messages`).set(a.auth).send({ text: '' })).body.error.field,
    ).toBe('text')
    expect((await t.http.get('/v1/discovery?limit=0').set(a.auth)).body.error.field).toBe('limit')
  })
})

describe('calls', () => {
  it('needs credit for one minute to start', async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    await grant(t, a.userId, 9)
    const video = await t.http.post('/v1/calls').set(a.auth).send({ calleeId: b.userId, type: 'video' })
    expect(video.status).toBe(402)
    const audio = await t.http.post('/v1/calls').set(a.auth).send({ calleeId: b.userId, type: 'audio' })
    expect(audio.status).toBe(201)
    expect(audio.body).toMatchObject({ status: 'ringing', ratePerMinute: 5 })
    const rejected = await t.http.post(`/v1/calls/${audio.body.id}/reject`).set(b.auth)
    expect(rejected.body.status).toBe('rejected')
    expect(await balance(t, a)).toBe(9)
  })

  it('bills every started minute (and whole minutes rounded down with call-billing-rounds-down)', async () => {
    for (const [defects, expected] of [
      [[], 15],
      [['call-billing-rounds-down'], 10],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const a = await signUp(t)
        const b = await signUp(t)
        await grant(t, a.userId, 100)
        const call = await t.http.post('/v1/calls').set(a.auth).send({ calleeId: b.userId, type: 'audio' })
        expect((await t.http.post(`/v1/calls/${call.body.id}/accept`).set(b.auth)).body.status).toBe('active')
        await advance(t, 2 * 60_000 + 10_000)
        const ended = await t.http.post(`/v1/calls/${call.body.id}/end`).set(a.auth)
        expect(ended.body.billedCredits).toBe(expected)
        expect(await balance(t, a)).toBe(100 - expected)
        const history = await t.http.get('/v1/calls').set(b.auth)
        expect(history.body.data[0]).toMatchObject({ id: call.body.id, status: 'ended' })
      })
    }
  })

  it('ends a call when the caller runs out of credits', async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    await grant(t, a.userId, 25)
    const call = await t.http.post('/v1/calls').set(a.auth).send({ calleeId: b.userId, type: 'video' })
    await t.http.post(`/v1/calls/${call.body.id}/accept`).set(b.auth)
    await advance(t, 60_000)
    await advance(t, 60_000)
    const ended = await eventually(async () => {
      const c = await t.http.get(`/v1/calls/${call.body.id}`).set(a.auth)
      return c.body.status === 'ended' ? c.body : undefined
    })
    expect(ended).toMatchObject({ endReason: 'insufficient_credits', billedMinutes: 2, billedCredits: 20 })
    expect(await balance(t, a)).toBe(5)
  })

  it('keeps the call running with call-not-ended-on-zero-credit', async () => {
    await withDefects(t, ['call-not-ended-on-zero-credit'], async () => {
      const a = await signUp(t)
      const b = await signUp(t)
      await grant(t, a.userId, 10)
      const call = await t.http.post('/v1/calls').set(a.auth).send({ calleeId: b.userId, type: 'video' })
      await t.http.post(`/v1/calls/${call.body.id}/accept`).set(b.auth)
      await advance(t, 60_000)
      await settled(t)
      expect((await t.http.get(`/v1/calls/${call.body.id}`).set(a.auth)).body.status).toBe('active')
      await t.http.post(`/v1/calls/${call.body.id}/end`).set(a.auth)
    })
  })

  it('refuses bad input', async () => {
    const a = await signUp(t)
    expect(
      (await t.http.post('/v1/calls').set(a.auth).send({ calleeId: a.userId, type: 'audio' })).body.error
        .field,
    ).toBe('calleeId')
    expect(
      (await t.http.post('/v1/calls').set(a.auth).send({ calleeId: 'x', type: 'hologram' })).body.error.field,
    ).toBe('type')
    expect((await t.http.post('/v1/calls/call_nope/end').set(a.auth)).status).toBe(404)
  })
})
