import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractCode } from '../core/messages.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { twilio } from './index.ts'
import { basic, call } from './test-support.ts'

/** Verify v2 over raw HTTP: routing by host and by prefix, the lifecycle and its limits. */

const SID = `AC${'8'.repeat(32)}`
const AUTH = basic(SID, 'verify-token')
let sims: RunningProviders
let base: string
let service: string
let phone = 0

/** A fresh recipient per test, so verifications never collide. */
const nextPhone = () => `+1415555${String(1000 + ++phone).slice(-4)}`

beforeAll(async () => {
  sims = await startProviders([twilio], { timeScale: 0 })
  base = sims.url('twilio')
  const created = await call(base, 'POST', '/verify/v2/Services', {
    auth: AUTH,
    form: { FriendlyName: 'Acme' },
  })
  service = String(created.body.sid)
})
afterAll(() => sims.close())

const start = (to: string, channel = 'sms') =>
  call(base, 'POST', `/verify/v2/Services/${service}/Verifications`, {
    auth: AUTH,
    form: { To: to, Channel: channel },
  })
const check = (form: Record<string, string>) =>
  call(base, 'POST', `/verify/v2/Services/${service}/VerificationCheck`, { auth: AUTH, form })
const codeFor = (to: string) => extractCode(sims.core.inbox.latest({ to, provider: 'twilio' })!.text)!
const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000')

describe('routing', () => {
  it('serves Verify on Host verify.twilio.com at /v2 and on any host at /verify/v2', async () => {
    const byHost = await call(base, 'GET', `/v2/Services/${service}`, {
      auth: AUTH,
      host: 'verify.twilio.com',
    })
    expect(byHost.status).toBe(200)
    expect(byHost.body.url).toBe(`https://verify.twilio.com/v2/Services/${service}`)
    const byPrefix = await call(base, 'GET', `/verify/v2/Services/${service}`, { auth: AUTH })
    expect(byPrefix.status).toBe(200)
    expect(byPrefix.body.url).toBe(`${base}/verify/v2/Services/${service}`)
    // /v2 on the api host is not Verify: Twilio answers 20404 there.
    const wrongHost = await call(base, 'GET', `/v2/Services/${service}`, {
      auth: AUTH,
      host: 'api.twilio.com',
    })
    expect(wrongHost.status).toBe(404)
    expect(wrongHost.body.code).toBe(20404)
  })

  it('an unknown service is 20404 naming the resource without the version', async () => {
    const r = await call(base, 'POST', `/verify/v2/Services/VA${'0'.repeat(32)}/Verifications`, {
      auth: AUTH,
      form: { To: '+14155552671', Channel: 'sms' },
    })
    expect(r.status).toBe(404)
    expect(r.body.message).toBe(
      `The requested resource /Services/VA${'0'.repeat(32)}/Verifications was not found`,
    )
  })
})

describe('services', () => {
  it('creates with defaults, validates CodeLength and FriendlyName', async () => {
    const r = await call(base, 'POST', '/verify/v2/Services', {
      auth: AUTH,
      form: { FriendlyName: 'Eight', CodeLength: '8' },
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ friendly_name: 'Eight', code_length: 8, account_sid: SID })
    expect(String(r.body.date_created)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    const bad = await call(base, 'POST', '/verify/v2/Services', {
      auth: AUTH,
      form: { FriendlyName: 'x', CodeLength: '3' },
    })
    expect(bad.body).toMatchObject({ status: 400, code: 60200, message: 'Invalid parameter: CodeLength' })
    const none = await call(base, 'POST', '/verify/v2/Services', { auth: AUTH, form: {} })
    expect(none.body).toMatchObject({ code: 60200, message: 'Invalid parameter: FriendlyName' })
  })

  it('an 8-digit service sends 8-digit codes', async () => {
    const svc = await call(base, 'POST', '/verify/v2/Services', {
      auth: AUTH,
      form: { FriendlyName: 'Long', CodeLength: '8' },
    })
    const to = nextPhone()
    await call(base, 'POST', `/verify/v2/Services/${svc.body.sid}/Verifications`, {
      auth: AUTH,
      form: { To: to, Channel: 'sms' },
    })
    expect(codeFor(to)).toMatch(/^\d{8}$/)
  })
})

describe('verifications', () => {
  it('start → pending, the code lands in the SMS inbox, the right code approves', async () => {
    const to = nextPhone()
    const started = await start(to)
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({
      to,
      channel: 'sms',
      status: 'pending',
      valid: false,
      service_sid: service,
    })
    const sms = sims.core.inbox.latest({ to, channel: 'sms' })!
    expect(sms.text).toBe(`Your Acme verification code is: ${codeFor(to)}`)
    const ok = await check({ To: to, Code: codeFor(to) })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ sid: started.body.sid, status: 'approved', valid: true })
  })

  it('a wrong code stays pending; after approval the check is 20404', async () => {
    const to = nextPhone()
    await start(to)
    const code = codeFor(to)
    const wrong = await check({ To: to, Code: wrongCode(code) })
    expect(wrong.body).toMatchObject({ status: 'pending', valid: false })
    expect((await check({ To: to, Code: code })).body.status).toBe('approved')
    const after = await check({ To: to, Code: code })
    expect(after.status).toBe(404)
    expect(after.body).toEqual({
      code: 20404,
      message: `The requested resource /Services/${service}/VerificationCheck was not found`,
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    })
  })

  it('checks by VerificationSid too', async () => {
    const to = nextPhone()
    const started = await start(to)
    const ok = await check({ VerificationSid: String(started.body.sid), Code: codeFor(to) })
    expect(ok.body.status).toBe('approved')
  })

  it('expires after 10 minutes of virtual time: fetch and check are 20404', async () => {
    const to = nextPhone()
    const started = await start(to)
    const code = codeFor(to)
    sims.core.clock.advance(9 * 60_000)
    expect(
      (
        await call(base, 'GET', `/verify/v2/Services/${service}/Verifications/${started.body.sid}`, {
          auth: AUTH,
        })
      ).status,
    ).toBe(200)
    sims.core.clock.advance(60_000)
    const fetched = await call(
      base,
      'GET',
      `/verify/v2/Services/${service}/Verifications/${started.body.sid}`,
      { auth: AUTH },
    )
    expect(fetched.status).toBe(404)
    const late = await check({ To: to, Code: code })
    expect(late.status).toBe(404)
    expect(late.body.code).toBe(20404)
    // A new start after expiry is a new verification with a new sid.
    const again = await start(to)
    expect(again.body.sid).not.toBe(started.body.sid)
  })

  it('five wrong checks, then 60202 even with the right code, then 20404 (deleted)', async () => {
    const to = nextPhone()
    await start(to)
    const code = codeFor(to)
    for (let i = 0; i < 5; i++)
      expect((await check({ To: to, Code: wrongCode(code) })).body.status).toBe('pending')
    const blocked = await check({ To: to, Code: code })
    expect(blocked.status).toBe(429)
    expect(blocked.body).toMatchObject({ code: 60202, message: 'Max check attempts reached', status: 429 })
    expect((await check({ To: to, Code: code })).body.code).toBe(20404)
  })

  it('a start while pending resends the same code on the same sid; the sixth send is 60203', async () => {
    const to = nextPhone()
    const first = await start(to)
    const code = codeFor(to)
    for (let i = 2; i <= 5; i++) {
      const resent = await start(to)
      expect(resent.status).toBe(201)
      expect(resent.body.sid).toBe(first.body.sid)
      expect(resent.body.send_code_attempts).toHaveLength(i)
    }
    expect(sims.core.inbox.list({ to }).length).toBe(5)
    expect(codeFor(to)).toBe(code)
    const sixth = await start(to)
    expect(sixth.status).toBe(429)
    expect(sixth.body).toMatchObject({ code: 60203, message: 'Max send attempts reached' })
    // The verification itself still stands.
    expect((await check({ To: to, Code: code })).body.status).toBe('approved')
  })

  it('cancel ends the lifecycle', async () => {
    const to = nextPhone()
    const started = await start(to)
    const canceled = await call(
      base,
      'POST',
      `/verify/v2/Services/${service}/Verifications/${started.body.sid}`,
      {
        auth: AUTH,
        form: { Status: 'canceled' },
      },
    )
    expect(canceled.body).toMatchObject({ status: 'canceled', valid: false })
    expect((await check({ To: to, Code: codeFor(to) })).status).toBe(404)
  })

  it('call and email channels deliver to the voice and email inboxes', async () => {
    const to = nextPhone()
    expect((await start(to, 'call')).body.channel).toBe('call')
    expect(sims.core.inbox.latest({ to })?.channel).toBe('voice')
    const mail = await start('Someone@Example.com', 'email')
    expect(mail.body.to).toBe('someone@example.com')
    expect(sims.core.inbox.latest({ to: 'someone@example.com' })?.channel).toBe('email')
  })

  it.each([
    ['no To', { Channel: 'sms' }, 'To'],
    ['no Channel', { To: '+14155552671' }, 'Channel'],
    ['bad Channel', { To: '+14155552671', Channel: 'pigeon' }, 'Channel'],
    ['national To', { To: '4155552671', Channel: 'sms' }, 'To'],
    ['email to a phone', { To: '+14155552671', Channel: 'email' }, 'To'],
  ])('%s → 60200', async (_label, form, param) => {
    const r = await call(base, 'POST', `/verify/v2/Services/${service}/Verifications`, { auth: AUTH, form })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({
      code: 60200,
      message: `Invalid parameter: ${param}`,
      more_info: 'https://www.twilio.com/docs/errors/60200',
      status: 400,
    })
  })

  it('sms to a landline is 403 / 60205', async () => {
    const r = await start('+15005550009')
    expect(r.status).toBe(403)
    expect(r.body.code).toBe(60205)
  })

  it('a check without Code is 60200', async () => {
    const r = await check({ To: '+14155552671' })
    expect(r.body).toMatchObject({ code: 60200, message: 'Invalid parameter: Code' })
  })
})
