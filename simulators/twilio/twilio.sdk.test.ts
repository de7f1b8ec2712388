import twilioSdk from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractCode } from '../core/messages.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { twilioClient } from './client.ts'
import { twilio } from './index.ts'

/** The official `twilio` library (6.2.0), unchanged but for its httpClient, against the simulator. */

const SID = `AC${'1'.repeat(32)}`
const TOKEN = 'sdk-token'
let sims: RunningProviders
let client: twilioSdk.Twilio

beforeAll(async () => {
  sims = await startProviders([twilio])
  client = twilioClient(sims.url('twilio'), SID, TOKEN)
})
afterAll(() => sims.close())

describe('twilio library: messages', () => {
  it('sends a message and reads it back, with the types the library parses', async () => {
    const sent = await client.messages.create({
      to: '+14155552671',
      from: '+15005550006',
      body: 'Hello from the SDK',
    })
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/)
    expect(sent.status).toBe('queued')
    expect(sent.accountSid).toBe(SID)
    expect(sent.numSegments).toBe('1')
    expect(sent.dateCreated).toBeInstanceOf(Date)
    expect(Number.isNaN(sent.dateCreated.getTime())).toBe(false)

    const fetched = await client.messages(sent.sid).fetch()
    expect(fetched.body).toBe('Hello from the SDK')
    expect(fetched.to).toBe('+14155552671')

    const inbox = sims.core.inbox.list({ to: '+14155552671', provider: 'twilio' })
    expect(inbox[0]?.text).toBe('Hello from the SDK')
  })

  it('walks every page of a list through next_page_uri', async () => {
    const to = '+14155550123'
    for (let i = 0; i < 5; i++) await client.messages.create({ to, from: '+15005550006', body: `n${i}` })
    const all = await client.messages.list({ to, pageSize: 2 })
    expect(all.map((m) => m.body).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4'])
    const page = await client.messages.page({ to, pageSize: 2 })
    expect(page.instances).toHaveLength(2)
    expect(page.nextPageUrl).toContain('Page=1')
  })

  it('raises RestException with Twilio code, status and more_info', async () => {
    const error = await client.messages
      .create({ to: '555-1234', from: '+15005550006', body: 'x' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(twilioSdk.RestException)
    const rest = error as InstanceType<typeof twilioSdk.RestException>
    expect(rest.status).toBe(400)
    expect(rest.code).toBe(21211)
    expect(rest.moreInfo).toBe('https://www.twilio.com/docs/errors/21211')
    expect(rest.message).toContain('555-1234')
  })

  it('a wrong auth token after the first use is 20003', async () => {
    const intruder = twilioClient(sims.url('twilio'), SID, 'another-token')
    const error = (await intruder.messages.list({ limit: 1 }).catch((e: unknown) => e)) as {
      status: number
      code: number
    }
    expect(error.status).toBe(401)
    expect(error.code).toBe(20003)
  })

  it("the library's own autoRetry gets past a 20429 the simulator answers", async () => {
    const rule = sims.core.faults.add({
      match: { provider: 'twilio', operation: 'messages.create' },
      effect: { type: 'provider-error', error: '20429' },
      times: 2,
    })
    const retrying = twilioClient(sims.url('twilio'), SID, TOKEN, { autoRetry: true, maxRetryDelay: 50 })
    const sent = await retrying.messages.create({
      to: '+14155552671',
      from: '+15005550006',
      body: 'after 429s',
    })
    expect(sent.status).toBe('queued')
    expect(sims.core.faults.get(rule.id)?.fired).toBe(2)
    sims.core.faults.remove(rule.id)
  })

  it('places a call and fetches it', async () => {
    const call = await client.calls.create({
      to: '+14155552671',
      from: '+15005550006',
      twiml: '<Response><Say>Hi</Say></Response>',
    })
    expect(call.sid).toMatch(/^CA/)
    expect(call.status).toBe('queued')
    expect(call.fromFormatted).toBe('(500) 555-0006')
    const fetched = await client.calls(call.sid).fetch()
    expect(fetched.to).toBe('+14155552671')
  })
})

describe('twilio library: Verify', () => {
  it('runs a verification round trip with the code from the SMS inbox', async () => {
    const service = await client.verify.v2.services.create({ friendlyName: 'Standin App' })
    expect(service.sid).toMatch(/^VA/)
    const to = '+14155559876'
    const started = await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' })
    expect(started.status).toBe('pending')
    expect(started.sendCodeAttempts).toHaveLength(1)

    const sms = await sims.core.inbox.waitFor({ to, provider: 'twilio', channel: 'sms' }, 1000)
    expect(sms?.text).toMatch(/^Your Standin App verification code is: \d{6}$/)
    const code = extractCode(sms!.text)!

    const wrong = await client.verify.v2
      .services(service.sid)
      .verificationChecks.create({ to, code: code === '000000' ? '111111' : '000000' })
    expect(wrong.status).toBe('pending')
    expect(wrong.valid).toBe(false)

    const check = await client.verify.v2.services(service.sid).verificationChecks.create({ to, code })
    expect(check.status).toBe('approved')
    expect(check.valid).toBe(true)

    const again = (await client.verify.v2
      .services(service.sid)
      .verificationChecks.create({ to, code })
      .catch((e: unknown) => e)) as { status: number; code: number }
    expect(again.status).toBe(404)
    expect(again.code).toBe(20404)
  })

  it('lists services through meta.next_page_url', async () => {
    for (let i = 0; i < 3; i++) await client.verify.v2.services.create({ friendlyName: `svc ${i}` })
    const all = await client.verify.v2.services.list({ pageSize: 2 })
    expect(all.length).toBeGreaterThanOrEqual(3)
    expect(new Set(all.map((s) => s.sid)).size).toBe(all.length)
  })
})
