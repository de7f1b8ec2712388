import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { twilio } from './index.ts'
import { basic, call } from './test-support.ts'

/** Messages over raw HTTP: validation order, magic numbers, account facts, auth, limits. */

const SID = `AC${'2'.repeat(32)}`
const AUTH = basic(SID, 'secret-2')
const PATH = `/2010-04-01/Accounts/${SID}/Messages.json`
let sims: RunningProviders
let base: string

beforeAll(async () => {
  sims = await startProviders([twilio], { timeScale: 0 })
  base = sims.url('twilio')
})
afterAll(() => sims.close())

const send = (form: Record<string, string | string[]>, auth = AUTH, path = PATH) =>
  call(base, 'POST', path, { auth, form })

describe('message create', () => {
  it('answers 201 with the message resource in Twilio types', async () => {
    const r = await send({
      To: '+1 (415) 555-2671',
      From: '+15005550006',
      Body: 'hello',
      StatusCallback: 'https://app.example/cb',
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      to: '+14155552671',
      from: '+15005550006',
      status: 'queued',
      direction: 'outbound-api',
      num_segments: '1',
      num_media: '0',
      error_code: null,
      price: null,
      api_version: '2010-04-01',
      account_sid: SID,
    })
    expect(String(r.body.date_created)).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/)
    expect(r.body.uri).toBe(`/2010-04-01/Accounts/${SID}/Messages/${r.body.sid}.json`)
    expect(r.headers.get('twilio-request-id')).toMatch(/^RQ[0-9a-f]{32}$/)
  })

  it('starts accepted with a Messaging Service and no From', async () => {
    const r = await send({ To: '+14155552671', MessagingServiceSid: `MG${'a'.repeat(32)}`, Body: 'svc' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      status: 'accepted',
      from: null,
      messaging_service_sid: `MG${'a'.repeat(32)}`,
    })
  })

  it('counts segments: GSM-7 over 160, UCS-2 over 70', async () => {
    expect(
      (await send({ To: '+14155552671', From: '+15005550006', Body: 'a'.repeat(161) })).body.num_segments,
    ).toBe('2')
    expect(
      (await send({ To: '+14155552671', From: '+15005550006', Body: '😀'.repeat(36) })).body.num_segments,
    ).toBe('2')
    expect(
      (await send({ To: '+14155552671', From: '+15005550006', Body: 'é'.repeat(160) })).body.num_segments,
    ).toBe('1')
  })

  it.each([
    ['no To', { From: '+15005550006', Body: 'x' }, 21604, 400],
    ['national To', { To: '4155552671', From: '+15005550006', Body: 'x' }, 21211, 400],
    ['short To', { To: '+1415', From: '+15005550006', Body: 'x' }, 21211, 400],
    ['To starting +0', { To: '+0123456789', From: '+15005550006', Body: 'x' }, 21211, 400],
    ['no From', { To: '+14155552671', Body: 'x' }, 21603, 400],
    ['bad From', { To: '+14155552671', From: 'not a number!', Body: 'x' }, 21212, 400],
    ['no Body', { To: '+14155552671', From: '+15005550006' }, 21602, 400],
    ['Body of 1601', { To: '+14155552671', From: '+15005550006', Body: 'x'.repeat(1601) }, 21617, 400],
    [
      'bad StatusCallback',
      { To: '+14155552671', From: '+15005550006', Body: 'x', StatusCallback: 'not a url' },
      21609,
      400,
    ],
  ])('%s → %i', async (_label, form, code, status) => {
    const r = await send(form)
    expect(r.status).toBe(status)
    expect(r.body).toEqual({
      code,
      message: expect.any(String),
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    })
  })

  it('names the bad number in 21211', async () => {
    const r = await send({ To: '555-1234', From: '+15005550006', Body: 'x' })
    expect(r.body.message).toBe("The 'To' number 555-1234 is not a valid phone number.")
  })

  it('accepts a sender ID, a short code and a whatsapp address', async () => {
    expect((await send({ To: '+14155552671', From: 'Standin', Body: 'x' })).status).toBe(201)
    expect((await send({ To: '+14155552671', From: '12345', Body: 'x' })).status).toBe(201)
    const wa = await send({ To: 'whatsapp:+14155552671', From: 'whatsapp:+15005550006', Body: 'x' })
    expect(wa.status).toBe(201)
    expect(wa.body.to).toBe('whatsapp:+14155552671')
  })

  it('reads a JSON body as no parameters, as Twilio does: 21604', async () => {
    const r = await call(base, 'POST', PATH, {
      auth: AUTH,
      raw: JSON.stringify({ To: '+14155552671', From: '+15005550006', Body: 'x' }),
      contentType: 'application/json',
    })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(21604)
  })
})

describe('magic test numbers', () => {
  it.each([
    ['From', '+15005550001', 21212],
    ['From', '+15005550007', 21606],
    ['From', '+15005550008', 21611],
    ['To', '+15005550001', 21211],
    ['To', '+15005550002', 21612],
    ['To', '+15005550003', 21408],
    ['To', '+15005550004', 21610],
    ['To', '+15005550009', 21614],
  ])('%s %s → %i', async (field, number, code) => {
    const form = { To: '+14155552671', From: '+15005550006', Body: 'magic', [field]: number }
    const r = await send(form)
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(code)
  })

  it('From +15005550006 passes every check', async () => {
    expect((await send({ To: '+14155552671', From: '+15005550006', Body: 'ok' })).status).toBe(201)
  })
})

describe('account facts set by triggers', () => {
  const account = `AC${'3'.repeat(32)}`
  const auth = basic(account, 't3')
  const path = `/2010-04-01/Accounts/${account}/Messages.json`

  it('an opted-out recipient is 21610, again after opting in 201', async () => {
    await sims.runtime('twilio').trigger('recipient.opted_out', account, { numbers: ['+14155550001'] })
    expect((await send({ To: '+14155550001', From: '+15005550006', Body: 'x' }, auth, path)).body.code).toBe(
      21610,
    )
    await sims.runtime('twilio').trigger('recipient.opted_in', account, { numbers: ['+14155550001'] })
    expect((await send({ To: '+14155550001', From: '+15005550006', Body: 'x' }, auth, path)).status).toBe(201)
  })

  it('a landline is 21614', async () => {
    await sims.runtime('twilio').trigger('number.landline', account, { numbers: ['+14155550002'] })
    expect((await send({ To: '+14155550002', From: '+15005550006', Body: 'x' }, auth, path)).body.code).toBe(
      21614,
    )
  })

  it('a trial account may only text verified numbers (21608)', async () => {
    const trial = `AC${'4'.repeat(32)}`
    const tpath = `/2010-04-01/Accounts/${trial}/Messages.json`
    const tauth = basic(trial, 't4')
    await sims.runtime('twilio').trigger('account.trial', trial, { verified: ['+14155550003'] })
    const refused = await send({ To: '+14155550004', From: '+15005550006', Body: 'x' }, tauth, tpath)
    expect(refused.body.code).toBe(21608)
    expect(refused.body.message).toContain('+14155550004')
    expect((await send({ To: '+14155550003', From: '+15005550006', Body: 'x' }, tauth, tpath)).status).toBe(
      201,
    )
  })
})

describe('fetch, list, delete', () => {
  it('fetches, lists with Twilio paging fields, deletes, then 20404', async () => {
    const account = `AC${'5'.repeat(32)}`
    const auth = basic(account, 't5')
    const path = `/2010-04-01/Accounts/${account}/Messages.json`
    const sids: string[] = []
    for (let i = 0; i < 3; i++)
      sids.push(
        String(
          (await send({ To: '+14155552671', From: '+15005550006', Body: `m${i}` }, auth, path)).body.sid,
        ),
      )

    const page0 = await call(base, 'GET', `${path}?PageSize=2&To=${encodeURIComponent('+1 415 555 2671')}`, {
      auth,
    })
    expect(page0.status).toBe(200)
    expect(page0.body).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null })
    expect((page0.body.messages as { sid: string }[]).map((m) => m.sid)).toEqual([sids[2], sids[1]])
    const next = String(page0.body.next_page_uri)
    expect(next).toMatch(new RegExp(`^/2010-04-01/Accounts/${account}/Messages.json\\?.*Page=1`))
    expect(new URLSearchParams(next.split('?')[1]).get('To')).toBe('+1 415 555 2671')
    const page1 = await call(base, 'GET', next, { auth })
    expect((page1.body.messages as { sid: string }[]).map((m) => m.sid)).toEqual([sids[0]])
    expect(page1.body.next_page_uri).toBeNull()

    const one = await call(base, 'GET', `/2010-04-01/Accounts/${account}/Messages/${sids[0]}.json`, { auth })
    expect(one.body.body).toBe('m0')
    const del = await call(base, 'DELETE', `/2010-04-01/Accounts/${account}/Messages/${sids[0]}.json`, {
      auth,
    })
    expect(del.status).toBe(204)
    const gone = await call(base, 'GET', `/2010-04-01/Accounts/${account}/Messages/${sids[0]}.json`, { auth })
    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({
      code: 20404,
      message: `The requested resource /2010-04-01/Accounts/${account}/Messages/${sids[0]}.json was not found`,
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    })
  })

  it('rejects a PageSize over 1000 with 20001', async () => {
    const r = await call(base, 'GET', `${PATH}?PageSize=5000`, { auth: AUTH })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(20001)
  })
})

describe('authentication', () => {
  const account = `AC${'6'.repeat(32)}`
  const path = `/2010-04-01/Accounts/${account}/Messages.json`

  it('no credentials, a bad username, a wrong token: 401 / 20003', async () => {
    const none = await call(base, 'GET', path)
    expect(none.status).toBe(401)
    expect(none.body).toMatchObject({
      code: 20003,
      status: 401,
      message: 'Authentication Error - No credentials provided',
    })
    const badUser = await call(base, 'GET', path, { auth: basic('bob', 'x') })
    expect(badUser.body).toMatchObject({ code: 20003, message: 'Authentication Error - invalid username' })
    expect((await call(base, 'GET', path, { auth: basic(account, 'first') })).status).toBe(200)
    const wrong = await call(base, 'GET', path, { auth: basic(account, 'second') })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toMatchObject({ code: 20003, message: 'Authenticate' })
  })

  it("another account's URL is refused", async () => {
    const r = await call(base, 'GET', PATH, { auth: basic(account, 'first') })
    expect(r.status).toBe(401)
  })

  it('authenticates before reading parameters', async () => {
    const r = await send({ Body: 'no To' }, basic(account, 'second'), path)
    expect(r.body.code).toBe(20003)
  })

  it('an API key made with Keys.json works for the 2010 API and Verify; a wrong secret does not', async () => {
    const key = await call(base, 'POST', `/2010-04-01/Accounts/${account}/Keys.json`, {
      auth: basic(account, 'first'),
      form: { FriendlyName: 'ci' },
    })
    expect(key.status).toBe(201)
    const keyAuth = basic(String(key.body.sid), String(key.body.secret))
    expect((await send({ To: '+14155552671', From: '+15005550006', Body: 'k' }, keyAuth, path)).status).toBe(
      201,
    )
    const svc = await call(base, 'POST', '/verify/v2/Services', {
      auth: keyAuth,
      form: { FriendlyName: 'Key svc' },
    })
    expect(svc.status).toBe(201)
    expect(svc.body.account_sid).toBe(account)
    const wrong = await call(base, 'GET', path, { auth: basic(String(key.body.sid), 'nope') })
    expect(wrong.status).toBe(401)
  })

  it('fetches the account', async () => {
    const r = await call(base, 'GET', `/2010-04-01/Accounts/${account}.json`, {
      auth: basic(account, 'first'),
    })
    expect(r.body).toMatchObject({ sid: account, status: 'active', type: 'Full' })
    expect(String(r.body.date_created)).not.toContain('1970')
  })
})

describe('rate limit and faults', () => {
  it('refuses requests over the per-second limit with 20429, unprocessed', async () => {
    const account = `AC${'7'.repeat(32)}`
    const auth = basic(account, 't7')
    const path = `/2010-04-01/Accounts/${account}/Messages.json`
    await sims.runtime('twilio').trigger('account.rate_limit', account, { perSecond: 3 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await send({ To: '+14155552671', From: '+15005550006', Body: `r${i}` }, auth, path)).status,
      )
    expect(statuses).toEqual([201, 201, 201, 429])
    sims.core.clock.advance(1001)
    const list = await call(base, 'GET', path, { auth })
    expect(list.status).toBe(200)
    expect(list.body.messages).toHaveLength(3)
  })

  it('a provider-error fault rule answers from the catalogue', async () => {
    const rule = sims.core.faults.add({
      match: { provider: 'twilio', operation: 'messages.create' },
      effect: { type: 'provider-error', error: '20429' },
      times: 1,
    })
    const r = await send({ To: '+14155552671', From: '+15005550006', Body: 'f' })
    expect(r.status).toBe(429)
    expect(r.body).toMatchObject({ code: 20429, message: 'Too many requests' })
    expect((await send({ To: '+14155552671', From: '+15005550006', Body: 'f' })).status).toBe(201)
    sims.core.faults.remove(rule.id)
  })
})

describe('routing', () => {
  it('unknown URL → 20404, known path with another method → 405 / 20004', async () => {
    const r = await call(base, 'GET', '/2010-04-01/Nope.json', { auth: AUTH })
    expect(r.status).toBe(404)
    expect(r.body.code).toBe(20404)
    const m = await call(base, 'PUT', PATH, { auth: AUTH })
    expect(m.status).toBe(405)
    expect(m.body.code).toBe(20004)
  })
})
