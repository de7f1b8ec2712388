import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractCode, extractLinks } from '../../simulators/core/messages.ts'
import { toKoreanLocal } from '../src/providers/aligo.ts'
import {
  advance,
  phone,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  withDefects,
  withOtpConfig,
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

async function requestCode(app: TestApp, number: string) {
  const since = sims.core.clock.now()
  const res = await app.http.post('/v1/auth/otp').send({ phone: number })
  const sms =
    res.status === 202
      ? await sims.core.inbox.waitFor({ to: number, channel: 'sms', since }, 5000)
      : undefined
  return { res, sms, code: sms ? extractCode(sms.text) : undefined }
}

describe('phone sign-up by OTP', () => {
  it('sends Korean numbers through Aligo and signs in with the code', async () => {
    const number = phone('kr')
    const { res, sms, code } = await requestCode(t, number)
    expect(res.status).toBe(202)
    expect(res.body.provider).toBe('aligo')
    expect(sms?.provider).toBe('aligo')
    const sent = sims.core.journal
      .list({ provider: 'aligo', operation: 'send' })
      .find((e) => (e.body as Record<string, string>).receiver === toKoreanLocal(number))
    expect(sent?.status).toBe(200)
    const verified = await t.http.post('/v1/auth/otp/verify').send({ phone: number, code })
    expect(verified.status).toBe(200)
    expect(verified.body.isNew).toBe(true)
    const me = await t.http.get('/v1/me').set('authorization', `Bearer ${verified.body.token}`)
    expect(me.status).toBe(200)
    expect(me.body.phone).toBe(number)
    expect(me.body.credits).toBe(0)
  })

  it('sends other numbers through Twilio Messages', async () => {
    const number = phone('us')
    const { res, sms } = await requestCode(t, number)
    expect(res.status).toBe(202)
    expect(res.body.provider).toBe('twilio')
    expect(sms?.provider).toBe('twilio')
  })

  it('fails over to Twilio when Aligo errors', async () => {
    const number = phone('kr')
    sims.core.faults.add({
      match: { provider: 'aligo', operation: 'send', body: { receiver: toKoreanLocal(number) } },
      effect: { type: 'status', status: 503 },
      times: 5,
    })
    const { res, sms } = await requestCode(t, number)
    expect(res.status).toBe(202)
    expect(res.body.provider).toBe('twilio')
    expect(sms?.provider).toBe('twilio')
  })

  it('fails over to Twilio when Aligo times out', async () => {
    const number = phone('kr')
    sims.core.faults.add({
      match: { provider: 'aligo', operation: 'send', body: { receiver: toKoreanLocal(number) } },
      effect: { type: 'hang', ms: 4000 },
      times: 1,
    })
    const started = Date.now()
    const { res, sms } = await requestCode(t, number)
    expect(res.status).toBe(202)
    expect(res.body.provider).toBe('twilio')
    expect(sms?.provider).toBe('twilio')
    // One attempt on the primary (1.5 s timeout in tests), then the fallback: no long retry loop on a dead provider.
    expect(Date.now() - started).toBeLessThan(8000)
  })

  it('answers 503 without failover when the defect no-sms-failover is on', async () => {
    await withDefects(t, ['no-sms-failover'], async () => {
      const number = phone('kr')
      sims.core.faults.add({
        match: { provider: 'aligo', operation: 'send', body: { receiver: toKoreanLocal(number) } },
        effect: { type: 'status', status: 503 },
        times: 5,
      })
      const res = await t.http.post('/v1/auth/otp').send({ phone: number })
      expect(res.status).toBe(503)
      expect(res.body.error.code).toBe('sms_unavailable')
    })
  })

  it('enforces a resend cooldown with Retry-After', async () => {
    const number = phone('us')
    expect((await t.http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
    const again = await t.http.post('/v1/auth/otp').send({ phone: number })
    expect(again.status).toBe(429)
    expect(again.body.error).toMatchObject({ code: 'otp_cooldown', field: 'phone' })
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('limits codes per phone and per IP', async () => {
    const app = t
    const before = Date.now()
    await withOtpConfig(t, { resendCooldownMs: 0, perPhonePerHour: 2, perIpPerHour: 4 }, async () => {
      // Earlier tests in this file sent from this IP: move the clock an hour on so only this test's sends count.
      await advance(t, 3_600_000)
      const number = phone('us')
      expect((await app.http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
      expect((await app.http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
      const third = await app.http.post('/v1/auth/otp').send({ phone: number })
      expect(third.status).toBe(429)
      expect(third.body.error.code).toBe('otp_rate_limited')
      expect((await app.http.post('/v1/auth/otp').send({ phone: phone('us') })).status).toBe(202)
      expect((await app.http.post('/v1/auth/otp').send({ phone: phone('us') })).status).toBe(202)
      const perIp = await app.http.post('/v1/auth/otp').send({ phone: phone('us') })
      expect(perIp.status).toBe(429)
      expect(before).toBeGreaterThan(0)
    })
  })

  it('has no limit with the defect no-otp-rate-limit', async () => {
    await withDefects(t, ['no-otp-rate-limit'], async () => {
      const number = phone('us')
      for (let i = 0; i < 3; i++)
        expect((await t.http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
    })
  })

  it('expires codes after 5 minutes (and not with otp-never-expires)', async () => {
    for (const [defects, expected] of [
      [[], 410],
      [['otp-never-expires'], 200],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const number = phone('us')
        const { code } = await requestCode(t, number)
        await advance(t, 5 * 60_000 + 1000)
        const res = await t.http.post('/v1/auth/otp/verify').send({ phone: number, code })
        expect(res.status).toBe(expected)
        if (expected === 410) expect(res.body.error).toMatchObject({ code: 'otp_expired', field: 'code' })
      })
    }
  })

  it('locks the code after 5 wrong tries', async () => {
    const number = phone('us')
    const { code } = await requestCode(t, number)
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) {
      const res = await t.http.post('/v1/auth/otp/verify').send({ phone: number, code: wrong })
      expect(res.status).toBe(422)
      expect(res.body.error.field).toBe('code')
    }
    const locked = await t.http.post('/v1/auth/otp/verify').send({ phone: number, code })
    expect(locked.status).toBe(429)
    expect(locked.body.error.code).toBe('otp_locked')
  })

  it('refuses bad input with a field name', async () => {
    for (const [body, field] of [
      [{}, 'phone'],
      [{ phone: '010-1234' }, 'phone'],
      [{ phone: 12 }, 'phone'],
    ] as const) {
      const res = await t.http.post('/v1/auth/otp').send(body)
      expect(res.status).toBe(400)
      expect(res.body.error.field).toBe(field)
    }
    const badCode = await t.http.post('/v1/auth/otp/verify').send({ phone: phone('us'), code: 'abc' })
    expect(badCode.body.error.field).toBe('code')
    const junk = await t.http.post('/v1/auth/otp').set('content-type', 'application/json').send('{nope')
    expect(junk.status).toBe(400)
  })
})

describe('profile and company verification', () => {
  it('accepts adults only', async () => {
    const user = await signUp(t, { profile: false })
    const minor = await t.http
      .put('/v1/me/profile')
      .set(user.auth)
      .send({ displayName: 'Kid', birthDate: '2015-01-01', gender: 'other' })
    expect(minor.status).toBe(422)
    expect(minor.body.error).toMatchObject({ code: 'underage', field: 'birthDate' })
    const adult = await t.http
      .put('/v1/me/profile')
      .set(user.auth)
      .send({ displayName: 'Grown', birthDate: '1990-01-01', gender: 'female' })
    expect(adult.status).toBe(200)
    expect(adult.body.profile.displayName).toBe('Grown')
    const bad = await t.http
      .put('/v1/me/profile')
      .set(user.auth)
      .send({ displayName: 'X', birthDate: '1990-13-45', gender: 'female' })
    expect(bad.body.error.field).toBe('birthDate')
  })

  it('verifies a work email through a one-time link sent by SendGrid', async () => {
    const user = await signUp(t)
    const email = `worker.${user.phone.slice(-6)}@acme.example`
    const since = sims.core.clock.now()
    const res = await t.http
      .post('/v1/me/company-verification')
      .set(user.auth)
      .send({ companyName: 'Acme', email })
    expect(res.status).toBe(202)
    const mail = await sims.core.inbox.waitFor({ to: email, channel: 'email', since }, 8000)
    expect(mail?.provider).toBe('sendgrid')
    const link = extractLinks(mail!).find((l) => l.includes('/v1/company-verifications/'))!
    const follow = await t.http.get(new URL(link).pathname)
    expect(follow.status).toBe(200)
    const me = await t.http.get('/v1/me').set(user.auth)
    expect(me.body.companyVerification.status).toBe('verified')
    const again = await t.http.get(new URL(link).pathname)
    expect(again.status).toBe(410)
  })

  it('marks a bounced work email undeliverable and tells the user', async () => {
    const user = await signUp(t)
    const email = `bounce+${user.phone.slice(-6)}@acme.example`
    await t.http.post('/v1/me/company-verification').set(user.auth).send({ companyName: 'Acme', email })
    await expectEventually(
      async () =>
        (await t.http.get('/v1/me').set(user.auth)).body.companyVerification.status === 'undeliverable',
    )
    const notes = await t.http.get('/v1/me/notifications').set(user.auth)
    expect(notes.body.data[0].kind).toBe('company_email_undeliverable')
  })

  it('ignores the bounce with the defect email-bounce-ignored', async () => {
    const app = t
    await withDefects(t, ['email-bounce-ignored'], async () => {
      const user = await signUp(app)
      const email = `bounce+${user.phone.slice(-6)}@acme.example`
      await app.http.post('/v1/me/company-verification').set(user.auth).send({ companyName: 'Acme', email })
      await sims.core.webhooks.waitFor(
        { provider: 'sendgrid', account: app.keys.sendgrid.account, status: 'delivered' } as never,
        8000,
      )
      await settled(app)
      const me = await app.http.get('/v1/me').set(user.auth)
      expect(me.body.companyVerification.status).toBe('pending')
    })
  })
})

async function expectEventually(fn: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('condition not met')
}
