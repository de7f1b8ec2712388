import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractCode } from '../../simulators/core/messages.ts'
import {
  eventually,
  freshDb,
  freshKeys,
  phone,
  registerWebhooks,
  type Sims,
  startSims,
  type TestDb,
} from './harness.ts'

/**
 * The hard version of the restart test: the app runs as its own process
 * (server.ts, configured by environment only) and is SIGKILLed between a
 * charge and its webhook. Nothing runs on the way down.
 */
let sims: Sims
let db: TestDb
let port: number
const keys = freshKeys()
const children: ChildProcess[] = []

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })

beforeAll(async () => {
  sims = await startSims()
  db = await freshDb({ file: true })
  port = await freePort()
}, 60_000)
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await sims?.close()
  await db?.drop()
})

async function spawnApp(): Promise<ChildProcess> {
  const env = {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.databaseUrl ?? '',
    REFERENCE_DATA_DIR: db.dataDir ?? '',
    TWILIO_BASE_URL: sims.url('twilio'),
    TWILIO_ACCOUNT_SID: keys.twilio.accountSid,
    TWILIO_AUTH_TOKEN: keys.twilio.authToken,
    ALIGO_BASE_URL: sims.url('aligo'),
    ALIGO_KEY: keys.aligo.key,
    ALIGO_USER_ID: keys.aligo.userId,
    SENDGRID_BASE_URL: sims.url('sendgrid'),
    SENDGRID_API_KEY: keys.sendgrid.apiKey,
    SENDGRID_WEBHOOK_PUBLIC_KEY: keys.sendgrid.webhookPublicKey,
    STRIPE_BASE_URL: sims.url('stripe'),
    STRIPE_SECRET_KEY: keys.stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: keys.stripe.webhookSecret,
    RAZORPAY_BASE_URL: sims.url('razorpay'),
    TOSS_BASE_URL: sims.url('toss'),
    JOBS_POLL_MS: '25',
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/server.ts')], {
    env,
    stdio: 'ignore',
  })
  children.push(child)
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 120_000, 200)
  return child
}

describe('SIGKILL between a charge and its webhook', () => {
  it('loses no payment and grants the credits exactly once', async () => {
    registerWebhooks(sims, keys, `http://127.0.0.1:${port}`)
    const first = await spawnApp()
    const http = request(`http://127.0.0.1:${port}`)
    const number = phone()
    const since = sims.core.clock.now()
    expect((await http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
    const sms = await sims.core.inbox.waitFor({ to: number, channel: 'sms', since }, 5000)
    const token = (
      await http.post('/v1/auth/otp/verify').send({ phone: number, code: extractCode(sms!.text) })
    ).body.token
    const auth = { authorization: `Bearer ${token}` }
    // Stripe's webhook is held for a virtual minute: the charge happens, then the app dies before hearing of it.
    const rule = sims.core.webhooks.addRule({
      match: { provider: 'stripe', account: keys.stripe.secretKey, eventType: 'payment_intent.succeeded' },
      effect: { type: 'delay', ms: 60_000 },
    })
    const charge = await http
      .post('/v1/payments')
      .set(auth)
      .send({ packageId: 'medium', provider: 'stripe', paymentMethodId: 'pm_card_visa' })
    expect(charge.status).toBe(201)
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))

    await spawnApp()
    sims.core.clock.advance(61_000)
    await eventually(async () => (await http.get('/v1/credits').set(auth)).body.balance === 120, 30_000, 100)
    const payment = await http.get(`/v1/payments/${charge.body.id}`).set(auth)
    expect(payment.body.status).toBe('succeeded')
    await new Promise((r) => setTimeout(r, 500))
    const credits = await http.get('/v1/credits').set(auth)
    expect(credits.body.balance).toBe(120)
    expect(
      credits.body.entries.filter((e: { ref: string }) => e.ref === `payment:${charge.body.id}`),
    ).toHaveLength(1)
    sims.core.webhooks.removeRule(rule.id)
  }, 300_000)
})
