import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aligo } from '../aligo/index.ts'
import { injectFetch, StandinClient } from '../core/control/client.ts'
import { buildControlApp } from '../core/control/server.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { sendgrid } from '../sendgrid/index.ts'
import { twilio } from '../twilio/index.ts'

/**
 * The inbox across providers: SMS through Twilio and Aligo and email through
 * SendGrid, sent all at once to many recipients, and each recipient's own OTP
 * and link found through the control plane.
 */
let sims: RunningProviders
let standin: StandinClient
let close: () => Promise<void>

beforeAll(async () => {
  sims = await startProviders([twilio, aligo, sendgrid])
  const app = buildControlApp(sims.core, new Map())
  standin = new StandinClient({ url: 'http://control.local', fetch: injectFetch(app) })
  close = async () => {
    await app.close()
    await sims.close()
  }
})
afterAll(() => close())

const N = 30
const code = (i: number) => String(200_000 + i * 7)
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const ACCOUNT = `AC${'7'.repeat(32)}`

function viaTwilio(i: number) {
  return fetch(`${sims.url('twilio')}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
    method: 'POST',
    headers: { authorization: basic(ACCOUNT, 'token'), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      To: `+1415555${String(1000 + i)}`,
      From: '+15005550006',
      Body: `Your code is ${code(i)}`,
    }),
  })
}

function viaAligo(i: number) {
  return fetch(`${sims.url('aligo')}/send/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      key: 'inboxtestkey0000000000000000000000',
      user_id: 'inboxtest',
      sender: '025114560',
      receiver: `0105555${String(1000 + i)}`,
      msg: `[앱] 인증번호 ${code(i)} 입니다`,
    }),
  })
}

function viaSendgrid(i: number) {
  return fetch(`${sims.url('sendgrid')}/v3/mail/send`, {
    method: 'POST',
    headers: { authorization: 'Bearer SG.inbox.secret', 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: `worker${i}@corp.example` }] }],
      from: { email: 'no-reply@app.example' },
      subject: 'Verify your work email',
      content: [
        { type: 'text/plain', value: `Open https://app.example/verify?token=t${i}` },
        { type: 'text/html', value: `<a href="https://app.example/verify?token=t${i}">Verify</a>` },
      ],
    }),
  })
}

describe('inbox across providers', () => {
  it("finds each recipient's own OTP and link among messages sent concurrently to many others", async () => {
    const sends = await Promise.all(
      Array.from({ length: N }, (_, i) => [viaTwilio(i), viaAligo(i), viaSendgrid(i)]).flat(),
    )
    for (const response of sends) expect(response.status, await response.clone().text()).toBeLessThan(300)

    for (const i of [0, 13, N - 1]) {
      const sms = await standin.messages.code({ to: `+1 (415) 555-${1000 + i}`, timeoutMs: 5000 })
      expect([sms.code, sms.message.provider]).toEqual([code(i), 'twilio'])
      const korean = await standin.messages.code({ to: `+82 10-5555-${1000 + i}`, timeoutMs: 5000 })
      expect([korean.code, korean.message.provider]).toEqual([code(i), 'aligo'])
      const mail = await standin.messages.links({ to: `Worker${i}@corp.example`, timeoutMs: 5000 })
      expect(mail.links).toContain(`https://app.example/verify?token=t${i}`)
      expect(mail.links.some((l) => l.endsWith(`token=t${i + 1}`))).toBe(false)
    }
    expect(await standin.messages.list({ channel: 'sms', limit: 1000 })).toHaveLength(2 * N)
  })
})
