import twilioSdk from 'twilio'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { twilio } from './index.ts'
import { MESSAGE_TIMING } from './lifecycle.ts'
import { basic, call, type Received, settle, startReceiver } from './test-support.ts'
import { twilioSignature } from './webhooks.ts'

/** Status callbacks: the lifecycle on the virtual clock, signed so twilio-node's validateRequest accepts them. */

const SID = `AC${'9'.repeat(32)}`
const TOKEN = 'callback-token'
const AUTH = basic(SID, TOKEN)
let sims: RunningProviders
let base: string
let receiver: Awaited<ReturnType<typeof startReceiver>>
let answers: (n: number) => number = () => 200

beforeAll(async () => {
  sims = await startProviders([twilio], { timeScale: 0 })
  base = sims.url('twilio')
  receiver = await startReceiver((n) => answers(n))
})
afterAll(async () => {
  await sims.close()
  await receiver.close()
})
afterEach(async () => {
  // Each test's lifecycles and deliveries end with it: nothing leaks into the next test's receiver.
  sims.core.reset({ provider: 'twilio' })
  await sims.core.settled()
  receiver.received.length = 0
  answers = () => 200
})

const sendMessage = (form: Record<string, string>) =>
  call(base, 'POST', `/2010-04-01/Accounts/${SID}/Messages.json`, {
    auth: AUTH,
    form: { From: '+15005550006', Body: 'hi', ...form },
  })

/** Advances the clock through a message's whole lifecycle, letting each callback go out. */
async function runLifecycle() {
  for (const ms of [
    MESSAGE_TIMING.queued,
    MESSAGE_TIMING.sending,
    MESSAGE_TIMING.sent,
    MESSAGE_TIMING.final,
  ]) {
    sims.core.clock.advance(ms)
    await inFlightDone()
  }
  sims.core.clock.advance(MESSAGE_TIMING.final)
  await inFlightDone()
}

/** Waits until every callback sent so far has been answered (Twilio does not order callbacks; the tests step them). */
async function inFlightDone() {
  await new Promise((r) => setImmediate(r))
  await settle(
    () => sims.core.webhooks.listDeliveries({ provider: 'twilio', status: 'pending' }).length === 0,
  )
}

const valid = (r: Received, url: string) =>
  twilioSdk.validateRequest(TOKEN, String(r.headers['x-twilio-signature']), url, r.params)

describe('signature', () => {
  it("matches twilio-node's own test vector", () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    }
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    )
  })
})

describe('message status callbacks', () => {
  it('sends sending, sent, delivered (none for the initial queued), each accepted by validateRequest', async () => {
    const url = `${receiver.url}/status?order=42`
    const created = await sendMessage({ To: '+14155552671', StatusCallback: url })
    await sims.core.settled()
    expect(receiver.received).toHaveLength(0)
    await runLifecycle()
    await settle(() => receiver.received.length >= 3)
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual(['sending', 'sent', 'delivered'])
    for (const r of receiver.received) {
      // As an Express app sees it: twilio.webhook()'s own check rebuilds the URL from Host and originalUrl.
      const expressLike = {
        protocol: 'http',
        headers: r.headers,
        originalUrl: r.url,
        body: r.params,
        header: (name: string) => r.headers[name.toLowerCase()] as string | undefined,
      }
      expect(twilioSdk.validateExpressRequest(expressLike as never, TOKEN)).toBe(true)
      expect(r.url).toBe('/status?order=42')
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
      expect(valid(r, url)).toBe(true)
      expect(valid(r, `${receiver.url}/status?order=43`)).toBe(false)
      expect(
        twilioSdk.validateRequest('other-token', String(r.headers['x-twilio-signature']), url, r.params),
      ).toBe(false)
    }
    const delivered = receiver.received[2]!
    expect(delivered.params).toMatchObject({
      AccountSid: SID,
      ApiVersion: '2010-04-01',
      MessageSid: created.body.sid,
      SmsSid: created.body.sid,
      SmsStatus: 'delivered',
      To: '+14155552671',
      From: '+15005550006',
    })
    expect(delivered.params.RawDlrDoneDate).toMatch(/^\d{10}$/)
    const fetched = await call(base, 'GET', `/2010-04-01/Accounts/${SID}/Messages/${created.body.sid}.json`, {
      auth: AUTH,
    })
    expect(fetched.body.status).toBe('delivered')
    expect(fetched.body.date_sent).not.toBeNull()
  })

  it('a Messaging Service message goes accepted → queued → … and says so', async () => {
    const url = `${receiver.url}/svc`
    await sendMessage({
      To: '+14155552671',
      From: '',
      MessagingServiceSid: `MG${'b'.repeat(32)}`,
      StatusCallback: url,
    })
    await runLifecycle()
    await settle(() => receiver.received.length >= 4)
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual([
      'queued',
      'sending',
      'sent',
      'delivered',
    ])
    expect(receiver.received[0]!.params.MessagingServiceSid).toBe(`MG${'b'.repeat(32)}`)
  })

  it('an unreachable handset ends undelivered with ErrorCode 30003 and never reaches the inbox', async () => {
    const url = `${receiver.url}/undelivered`
    const created = await sendMessage({ To: '+15005550030', StatusCallback: url })
    await runLifecycle()
    await settle(() => receiver.received.length >= 3)
    const last = receiver.received[2]!
    expect(last.params).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30003' })
    expect(valid(last, url)).toBe(true)
    const fetched = await call(base, 'GET', `/2010-04-01/Accounts/${SID}/Messages/${created.body.sid}.json`, {
      auth: AUTH,
    })
    expect(fetched.body).toMatchObject({ status: 'undelivered', error_code: 30003 })
    expect(sims.core.inbox.list({ to: '+15005550030' })).toHaveLength(0)
  })

  it('an unregistered sender fails straight from the queue (30034)', async () => {
    await sendMessage({ To: '+15005550034', StatusCallback: `${receiver.url}/failed` })
    await runLifecycle()
    await settle(() => receiver.received.length >= 1)
    await sims.core.settled()
    expect(receiver.received.map((r) => [r.params.MessageStatus, r.params.ErrorCode])).toEqual([
      ['failed', '30034'],
    ])
  })

  it('retries a failed callback once (#rp=5xx) with the same idempotency token, and stops there', async () => {
    answers = () => 500
    // By default Twilio retries connection failures only (connection-overrides.ts); rp=5xx asks for 5xx too.
    await sendMessage({ To: '+14155552671', StatusCallback: `${receiver.url}/flaky#rp=5xx` })
    sims.core.clock.advance(MESSAGE_TIMING.sending)
    await settle(() => receiver.received.length >= 2)
    await sims.core.settled()
    expect(receiver.received).toHaveLength(2)
    const [a, b] = receiver.received
    expect(a!.headers['i-twilio-idempotency-token']).toBe(b!.headers['i-twilio-idempotency-token'])
    const delivery = sims.core.webhooks.listDeliveries({
      provider: 'twilio',
      eventType: 'message.sending',
      limit: 1,
    })[0]!
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts).toHaveLength(2)
  })

  it('signs the URL without its connection-override fragment', async () => {
    const url = `${receiver.url}/frag?a=1`
    await sendMessage({ To: '+14155552671', StatusCallback: `${url}#rc=2&ct=1000` })
    sims.core.clock.advance(MESSAGE_TIMING.sending)
    await settle(() => receiver.received.length >= 1)
    expect(receiver.received[0]!.url).toBe('/frag?a=1')
    expect(valid(receiver.received[0]!, url)).toBe(true)
  })

  it('a bad-signature webhook rule makes validateRequest refuse the callback', async () => {
    sims.core.webhooks.addRule({ match: { provider: 'twilio' }, effect: { type: 'bad-signature' } })
    const url = `${receiver.url}/tampered`
    await sendMessage({ To: '+14155552671', StatusCallback: url })
    sims.core.clock.advance(MESSAGE_TIMING.sending)
    await settle(() => receiver.received.length >= 1)
    expect(valid(receiver.received[0]!, url)).toBe(false)
  })
})

describe('scheduled messages', () => {
  const service = `MG${'c'.repeat(32)}`
  const sendAtIn = (ms: number) =>
    new Date(sims.core.clock.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

  it('waits for SendAt, then lands in the inbox and walks queued → sending → sent → delivered', async () => {
    const url = `${receiver.url}/scheduled`
    const created = await sendMessage({
      To: '+14155550188',
      From: '',
      MessagingServiceSid: service,
      ScheduleType: 'fixed',
      SendAt: sendAtIn(10 * 60_000),
      StatusCallback: url,
    })
    expect(created.status).toBe(201)
    expect(created.body.status).toBe('scheduled')
    sims.core.clock.advance(9 * 60_000)
    await inFlightDone()
    expect(receiver.received).toHaveLength(0)
    expect(sims.core.inbox.list({ to: '+14155550188' })).toHaveLength(0)
    sims.core.clock.advance(60_000)
    await inFlightDone()
    expect(sims.core.inbox.latest({ to: '+14155550188' })?.text).toBe('hi')
    await runLifecycle()
    await settle(() => receiver.received.length >= 4)
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual([
      'queued',
      'sending',
      'sent',
      'delivered',
    ])
  })

  it('a canceled scheduled message says so once and never goes out', async () => {
    const url = `${receiver.url}/canceled`
    const created = await sendMessage({
      To: '+14155550189',
      MessagingServiceSid: service,
      ScheduleType: 'fixed',
      SendAt: sendAtIn(20 * 60_000),
      StatusCallback: url,
    })
    const path = `/2010-04-01/Accounts/${SID}/Messages/${created.body.sid}.json`
    const canceled = await call(base, 'POST', path, { auth: AUTH, form: { Status: 'canceled' } })
    expect(canceled.body.status).toBe('canceled')
    sims.core.clock.advance(30 * 60_000)
    await inFlightDone()
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual(['canceled'])
    expect(sims.core.inbox.list({ to: '+14155550189' })).toHaveLength(0)
    const again = await call(base, 'POST', path, { auth: AUTH, form: { Status: 'canceled' } })
    expect(again.body.code).toBe(20001)
  })

  it.each([
    ['ScheduleType other than fixed', { ScheduleType: 'later' }, 35126],
    ['no SendAt', { ScheduleType: 'fixed' }, 35111],
    ['no Messaging Service', { ScheduleType: 'fixed', SendAt: 'soon', MessagingServiceSid: '' }, 35118],
    ['SendAt in 4 minutes', { ScheduleType: 'fixed', SendAt: 'in:240000' }, 35115],
    ['SendAt in 36 days', { ScheduleType: 'fixed', SendAt: `in:${36 * 86_400_000}` }, 35115],
    ['SendAt not ISO', { ScheduleType: 'fixed', SendAt: 'tomorrow' }, 35115],
  ])('%s → %i', async (_label, extra, code) => {
    const form: Record<string, string> = { To: '+14155552671', MessagingServiceSid: service, ...extra }
    if (form.SendAt?.startsWith('in:')) form.SendAt = sendAtIn(Number(form.SendAt.slice(3)))
    const r = await sendMessage(form)
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(code)
  })
})

describe('API-key-only accounts', () => {
  it('sign callbacks with the auth token set by the account.auth_token trigger', async () => {
    const account = `AC${'f'.repeat(32)}`
    const keyAuth = basic(`SK${'1'.repeat(32)}`, 'key-secret')
    const path = `/2010-04-01/Accounts/${account}/Messages.json`
    const url = `${receiver.url}/keyed`
    const form = { To: '+14155552671', From: '+15005550006', Body: 'k', StatusCallback: url }
    expect((await call(base, 'POST', path, { auth: keyAuth, form })).status).toBe(201)
    sims.core.clock.advance(MESSAGE_TIMING.sending)
    await sims.core.settled()
    expect(receiver.received).toHaveLength(0)
    await sims.runtime('twilio').trigger('account.auth_token', account, { token: 'the-real-token' })
    sims.core.clock.advance(MESSAGE_TIMING.sent)
    await settle(() => receiver.received.length >= 1)
    const r = receiver.received[0]!
    expect(
      twilioSdk.validateRequest('the-real-token', String(r.headers['x-twilio-signature']), url, r.params),
    ).toBe(true)
  })
})

describe('inbound messages (trigger)', () => {
  it("posts Twilio's signed form to the app, stores the message, and STOP opts the sender out", async () => {
    await sendMessage({ To: '+14155550177' })
    const url = `${receiver.url}/incoming`
    const result = (await sims.runtime('twilio').trigger('message.inbound', SID, {
      from: '+14155550177',
      to: '+15005550006',
      body: ' stop ',
      url,
    })) as { sid: string; optedOut: boolean }
    expect(result.optedOut).toBe(true)
    await settle(() => receiver.received.length >= 1)
    const hook = receiver.received[0]!
    expect(hook.params).toMatchObject({
      From: '+14155550177',
      To: '+15005550006',
      Body: ' stop ',
      SmsStatus: 'received',
      MessageSid: result.sid,
    })
    expect(valid(hook, url)).toBe(true)
    const refused = await sendMessage({ To: '+14155550177' })
    expect(refused.body.code).toBe(21610)
    const listed = await call(base, 'GET', `/2010-04-01/Accounts/${SID}/Messages/${result.sid}.json`, {
      auth: AUTH,
    })
    expect(listed.body).toMatchObject({ direction: 'inbound', status: 'received' })
    await sims
      .runtime('twilio')
      .trigger('message.inbound', SID, { from: '+14155550177', to: '+15005550006', body: 'START' })
    expect((await sendMessage({ To: '+14155550177' })).status).toBe(201)
  })
})

describe('call status callbacks', () => {
  const callPath = `/2010-04-01/Accounts/${SID}/Calls.json`

  it('reports initiated, ringing, answered and completed when asked, signed', async () => {
    const url = `${receiver.url}/call`
    const created = await call(base, 'POST', callPath, {
      auth: AUTH,
      form: {
        To: '+14155552671',
        From: '+15005550006',
        Url: 'https://app.example/twiml',
        StatusCallback: url,
        StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      },
    })
    expect(created.status).toBe(201)
    for (const ms of [0, 1_000, 4_000, 10_000]) {
      sims.core.clock.advance(ms)
      await inFlightDone()
    }
    await settle(() => receiver.received.length >= 4)
    expect(receiver.received.map((r) => r.params.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
      'completed',
    ])
    expect(receiver.received.map((r) => r.params.SequenceNumber)).toEqual(['0', '1', '2', '3'])
    const done = receiver.received[3]!
    expect(done.params).toMatchObject({
      CallSid: created.body.sid,
      CallDuration: '10',
      CallbackSource: 'call-progress-events',
    })
    for (const r of receiver.received) expect(valid(r, url)).toBe(true)
    const fetched = await call(base, 'GET', `/2010-04-01/Accounts/${SID}/Calls/${created.body.sid}.json`, {
      auth: AUTH,
    })
    expect(fetched.body).toMatchObject({ status: 'completed', duration: '10' })
  })

  it('by default only completed; a busy callee ends busy', async () => {
    await call(base, 'POST', callPath, {
      auth: AUTH,
      form: {
        To: '+15005550040',
        From: '+15005550006',
        Url: 'https://app.example/twiml',
        StatusCallback: `${receiver.url}/busy`,
      },
    })
    sims.core.clock.advance(1_000)
    sims.core.clock.advance(4_000)
    await settle(() => receiver.received.length >= 1)
    await sims.core.settled()
    expect(receiver.received.map((r) => r.params.CallStatus)).toEqual(['busy'])
  })

  it('hanging up a ringing call cancels it; ending an ended call is 21220', async () => {
    const created = await call(base, 'POST', callPath, {
      auth: AUTH,
      form: {
        To: '+14155552671',
        From: '+15005550006',
        Twiml: '<Response><Say>Your code is 123456</Say></Response>',
      },
    })
    expect(sims.core.inbox.latest({ to: '+14155552671', channel: 'voice' })?.text).toBe('Your code is 123456')
    sims.core.clock.advance(1_000)
    const path = `/2010-04-01/Accounts/${SID}/Calls/${created.body.sid}.json`
    const hung = await call(base, 'POST', path, { auth: AUTH, form: { Status: 'completed' } })
    expect(hung.body.status).toBe('canceled')
    const again = await call(base, 'POST', path, { auth: AUTH, form: { Status: 'completed' } })
    expect(again.body).toMatchObject({ status: 400, code: 21220 })
  })

  it.each([
    ['To', '+15005550001', 21217],
    ['To', '+15005550002', 21214],
    ['To', '+15005550003', 21215],
    ['To', '+15005550004', 21216],
    ['From', '+15005550001', 21212],
  ])('magic %s %s → %i', async (field, number, code) => {
    const r = await call(base, 'POST', callPath, {
      auth: AUTH,
      form: { To: '+14155552671', From: '+15005550006', Url: 'https://app.example/twiml', [field]: number },
    })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(code)
  })

  it('missing To, From or instructions', async () => {
    expect(
      (
        await call(base, 'POST', callPath, {
          auth: AUTH,
          form: { From: '+15005550006', Url: 'https://a.example' },
        })
      ).body.code,
    ).toBe(21201)
    expect(
      (
        await call(base, 'POST', callPath, {
          auth: AUTH,
          form: { To: '+14155552671', Url: 'https://a.example' },
        })
      ).body.code,
    ).toBe(21213)
    expect(
      (await call(base, 'POST', callPath, { auth: AUTH, form: { To: '+14155552671', From: '+15005550006' } }))
        .body.code,
    ).toBe(20001)
    expect(
      (
        await call(base, 'POST', callPath, {
          auth: AUTH,
          form: { To: '+14155552671', From: '+15005550006', Url: 'nope' },
        })
      ).body.code,
    ).toBe(21205)
  })
})
