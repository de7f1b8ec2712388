import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { twilio } from './index.ts'
import { basic, call } from './test-support.ts'

/** Bad input gets Twilio's own answer and the simulator keeps serving. */

const SID = `AC${'c'.repeat(32)}`
const AUTH = basic(SID, 'bad-input')
const MESSAGES = `/2010-04-01/Accounts/${SID}/Messages.json`
let sims: RunningProviders
let base: string
let service: string

beforeAll(async () => {
  sims = await startProviders([twilio], { timeScale: 0 })
  base = sims.url('twilio')
  service = String(
    (await call(base, 'POST', '/verify/v2/Services', { auth: AUTH, form: { FriendlyName: 'Bad' } })).body.sid,
  )
})
afterAll(() => sims.close())

async function stillServing() {
  const ok = await call(base, 'POST', MESSAGES, {
    auth: AUTH,
    form: { To: '+14155552671', From: '+15005550006', Body: 'alive' },
  })
  expect(ok.status).toBe(201)
}

const twilioShape = (code: number, status: number) => ({
  code,
  message: expect.any(String),
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
})

describe('bodies Twilio cannot read as a form', () => {
  it.each([
    ['malformed JSON', '{"To": "+14155552671",', 'application/json'],
    ['valid JSON', '{"To":"+14155552671","From":"+15005550006","Body":"x"}', 'application/json'],
    ['XML', '<To>+14155552671</To>', 'application/xml'],
    ['multipart without boundary', 'To=+14155552671', 'multipart/form-data'],
    ['JSON without a content type', '{"To":"+14155552671"}', undefined],
  ])('%s on Messages → 21604', async (_label, raw, contentType) => {
    const r = await call(base, 'POST', MESSAGES, { auth: AUTH, raw, ...(contentType ? { contentType } : {}) })
    expect(r.status).toBe(400)
    expect(r.body).toEqual(twilioShape(21604, 400))
    await stillServing()
  })

  it('malformed JSON on Verify → 60200 naming the first required parameter', async () => {
    const start = await call(base, 'POST', `/verify/v2/Services/${service}/Verifications`, {
      auth: AUTH,
      raw: '{oops',
      contentType: 'application/json',
    })
    expect(start.body).toEqual({ ...twilioShape(60200, 400), message: 'Invalid parameter: To' })
    const check = await call(base, 'POST', `/verify/v2/Services/${service}/VerificationCheck`, {
      auth: AUTH,
      raw: '[',
      contentType: 'application/json',
    })
    expect(check.body).toMatchObject({ code: 60200, message: 'Invalid parameter: Code' })
    await stillServing()
  })

  it('malformed form encoding is read leniently, as form readers do, and then validated', async () => {
    const r = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      raw: 'To=%ZZ%&From=%2B15005550006&Body=%E0%A4%A',
      contentType: 'application/x-www-form-urlencoded',
    })
    expect(r.status).toBe(400)
    expect(r.body).toEqual(twilioShape(21211, 400))
    const brackets = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      raw: 'To[a]=%2B14155552671&From=%2B15005550006&Body=x',
      contentType: 'application/x-www-form-urlencoded',
    })
    expect(brackets.body.code).toBe(21604)
    const proto = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      raw: '__proto__=a&__proto__=b&constructor=c&To=%2B14155552671&From=%2B15005550006&Body=proto',
      contentType: 'application/x-www-form-urlencoded',
    })
    expect(proto.status).toBe(201)
    expect(proto.body.body).toBe('proto')
    const garbage = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      raw: Buffer.from([0, 255, 254, 61, 38, 61, 0]),
      contentType: 'application/x-www-form-urlencoded',
    })
    expect(garbage.body.code).toBe(21604)
    await stillServing()
  })
})

describe('huge input', () => {
  it('a body over the request limit → 413 in Twilio shape', async () => {
    const r = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      form: { To: '+14155552671', From: '+15005550006', Body: 'x'.repeat(200_000) },
    })
    expect(r.status).toBe(413)
    expect(r.body).toEqual(twilioShape(20001, 413))
    await stillServing()
  })

  it('a body under the request limit but over 1600 characters → 21617', async () => {
    const r = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      form: { To: '+14155552671', From: '+15005550006', Body: 'y'.repeat(50_000) },
    })
    expect(r.body).toEqual(twilioShape(21617, 400))
  })

  it('a 10 000-digit number → 21211; eleven MediaUrl → 20001', async () => {
    const long = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      form: { To: `+${'1'.repeat(10_000)}`, From: '+15005550006', Body: 'x' },
    })
    expect(long.body.code).toBe(21211)
    const media = await call(base, 'POST', MESSAGES, {
      auth: AUTH,
      form: {
        To: '+14155552671',
        From: '+15005550006',
        MediaUrl: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}.png`),
      },
    })
    expect(media.body.code).toBe(20001)
    await stillServing()
  })
})

describe('credentials and URLs', () => {
  it.each([
    ['not Basic', 'Bearer abc'],
    ['bad base64', 'Basic !!!'],
    ['no colon', `Basic ${Buffer.from(SID).toString('base64')}`],
    ['empty token', basic(SID, '')],
  ])('%s → 401 / 20003', async (_label, auth) => {
    const r = await call(base, 'GET', MESSAGES, { auth })
    expect(r.status).toBe(401)
    expect(r.body).toEqual(twilioShape(20003, 401))
  })

  it('odd paths → 20404, another account → 401, never a crash', async () => {
    expect(
      (await call(base, 'GET', '/2010-04-01/Accounts/%ZZ/Messages.json', { auth: AUTH })).body.code,
    ).toBe(20404)
    expect(
      (await call(base, 'GET', `/2010-04-01/Accounts/AC${'d'.repeat(32)}/Messages.json`, { auth: AUTH }))
        .status,
    ).toBe(401)
    expect(
      (
        await call(base, 'GET', `/2010-04-01/Accounts/${SID}/Messages/${'%00'.repeat(50)}.json`, {
          auth: AUTH,
        })
      ).body.code,
    ).toBe(20404)
    expect(
      (await call(base, 'GET', `/verify/v2/Services/${service}/Verifications/nope`, { auth: AUTH })).body
        .code,
    ).toBe(20404)
    expect((await call(base, 'GET', '/', { auth: AUTH })).body.code).toBe(20404)
    await stillServing()
  })

  it('a non-numeric PageSize → 20001', async () => {
    const r = await call(base, 'GET', `${MESSAGES}?PageSize=lots`, { auth: AUTH })
    expect(r.body).toEqual(twilioShape(20001, 400))
  })
})
