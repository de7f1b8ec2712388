import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  balance,
  eventually,
  phone,
  type Sims,
  signUp,
  startApp,
  startSims,
  type TestApp,
  type User,
  withDefects,
} from '../../reference-target/test/harness.ts'
import { buyStripe } from '../../reference-target/test/pay.ts'
import { loadPresets } from '../core/control/presets.ts'
import { buildControlApp } from '../core/control/server.ts'
import type { WebhookDelivery } from '../core/webhooks/types.ts'

/**
 * Every preset in scenarios/presets does what its description says (issue 10
 * #8), proved against the reference target: the correct app passes, and the
 * app with the defect the preset is meant to expose is caught. Presets are
 * applied through the control plane, as a team applies them.
 */
const HOUR = 3_600_000
let sims: Sims
let t: TestApp
let control: FastifyInstance
let names: string[]

beforeAll(async () => {
  sims = await startSims()
  const presets = await loadPresets('scenarios/presets')
  names = [...presets.keys()]
  control = buildControlApp(sims.core, presets)
  // Reconciliation far away, so what settles a payment in these tests is the webhook (unless a test says otherwise).
  t = await startApp(sims, { config: { reconcileAfterMs: 30 * 24 * HOUR } })
}, 180_000)
afterAll(async () => {
  await t?.close()
  await control?.close()
  await sims?.close()
})
afterEach(() => {
  sims.core.faults.clear()
  sims.core.webhooks.clearRules()
})

const tested = new Set<string>()
async function apply(name: string, vars: Record<string, string> = {}) {
  tested.add(name)
  const res = await control.inject({
    method: 'POST',
    url: `/_standin/presets/${name}/apply`,
    payload: { vars },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { faults: { id: string }[]; webhookRules: { id: string }[] }
}

/** Moves the app's clock and then the hub's by `ms`, as the presets' descriptions tell an app to. */
async function moveClocks(ms: number) {
  const hubNow = sims.core.clock.now()
  const res = await t.http.post('/_test/clock').send({ now: new Date(hubNow + ms).toISOString() })
  expect(res.status).toBe(200)
  const advanced = await control.inject({
    method: 'POST',
    url: '/_standin/clock/advance',
    payload: { by: ms },
  })
  expect(advanced.statusCode, advanced.body).toBe(200)
}

/** Every webhook the app accepted has been processed by its job queue. */
function webhookJobsDone() {
  return eventually(
    async () =>
      (await t.ref.db.query(`SELECT 1 FROM jobs WHERE type = 'webhook.process' AND finished_at IS NULL`))
        .length === 0,
  )
}

function intentDeliveries(paymentId: string): WebhookDelivery[] {
  return sims.core.webhooks
    .listDeliveries({
      provider: 'stripe',
      account: t.keys.stripe.secretKey,
      eventType: 'payment_intent.succeeded',
      payloadContains: paymentId,
    })
    .reverse()
}

const statuses = (d: WebhookDelivery) => d.attempts.map((a) => a.status ?? a.outcome)

describe('presets against the reference target', () => {
  it('webhook-retry-storm: the webhook is lost three times, then arrives twice; credits granted once (twice with double-credit-on-duplicate)', async () => {
    for (const [defects, expected] of [
      [[], 50],
      [['double-credit-on-duplicate'], 100],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const user = await signUp(t)
        await apply('webhook-retry-storm', { provider: 'stripe' })
        const res = await buyStripe(t, user)
        expect(res.status, JSON.stringify(res.body)).toBe(201)
        const first = (await eventually(() =>
          intentDeliveries(res.body.id).find((d) => d.attempts.length > 0),
        ))!
        expect(first.attempts[0]!.outcome).toBe('dropped')
        // Lost for now: nothing reached the app, no credits.
        expect(await balance(t, user)).toBe(0)
        // Stripe's test-mode schedule: retries after 1 h, 2 h and 4 h.
        await moveClocks(7 * HOUR)
        const deliveries = intentDeliveries(res.body.id)
        expect(deliveries.map(statuses)).toEqual([['dropped', 'dropped', 'dropped', 200], [200]])
        await webhookJobsDone()
        expect(await balance(t, user)).toBe(expected)
        sims.core.webhooks.clearRules()
      })
    }
  })

  it('forged-webhooks: a correct app rejects the forged and the stale attempt and accepts the third; each defect is caught', async () => {
    const run = async () => {
      const user = await signUp(t)
      await apply('forged-webhooks', { provider: 'stripe' })
      const res = await buyStripe(t, user)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      await eventually(() => intentDeliveries(res.body.id).find((d) => d.attempts.length > 0))
      await webhookJobsDone()
      const afterFirst = await balance(t, user)
      await moveClocks(HOUR) // attempt 2: signed right, an hour old by the clock both sides share
      await webhookJobsDone()
      const afterSecond = await balance(t, user)
      await moveClocks(2 * HOUR) // attempt 3: valid
      await webhookJobsDone()
      const delivery = intentDeliveries(res.body.id)[0]!
      return { delivery, afterFirst, afterSecond, final: await balance(t, user) }
    }
    const correct = await run()
    expect(statuses(correct.delivery)).toEqual([400, 400, 200])
    expect(correct.delivery.attempts[0]!.tampering).toEqual(['stale-timestamp', 'bad-signature'])
    expect(correct.delivery.attempts[1]!.tampering).toEqual(['stale-timestamp'])
    expect([correct.afterFirst, correct.afterSecond, correct.final]).toEqual([0, 0, 50])

    const forged = await withDefects(t, ['skip-webhook-signature'], run)
    expect(statuses(forged.delivery)[0]).toBe(200)
    expect(forged.afterFirst).toBe(50) // credits from a forged webhook: caught

    const stale = await withDefects(t, ['accept-stale-webhook'], run)
    expect(statuses(stale.delivery)).toEqual([400, 200])
    expect([stale.afterFirst, stale.afterSecond]).toEqual([0, 50]) // credits from a replayed webhook: caught
  })

  it('provider-flaky-5xx: two 503s, then a retry with the same idempotency key succeeds (fails with no-retry-on-5xx)', async () => {
    const creates = (paymentId: string) =>
      sims.core.journal
        .list({ provider: 'stripe', method: 'POST' })
        .filter((e) => JSON.stringify(e.body).includes(paymentId))
    const user = await signUp(t)
    await apply('provider-flaky-5xx', { provider: 'stripe' })
    const res = await buyStripe(t, user)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const attempts = creates(res.body.id)
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200])
    expect(new Set(attempts.map((a) => a.headers['idempotency-key'])).size).toBe(1)
    await eventually(async () => (await balance(t, user)) === 50)

    await withDefects(t, ['no-retry-on-5xx'], async () => {
      const other = await signUp(t)
      sims.core.faults.clear()
      await apply('provider-flaky-5xx', { provider: 'stripe' })
      const failed = await buyStripe(t, other)
      expect(failed.status).toBe(502)
    })
  })

  it('sms-outage-aligo: Aligo resets every send; Korean sign-ups fail over to Twilio (503 with no-sms-failover)', async () => {
    await apply('sms-outage-aligo')
    const number = phone('kr')
    const since = sims.core.clock.now()
    const res = await t.http.post('/v1/auth/otp').send({ phone: number })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    expect(res.body.provider).toBe('twilio')
    const reset = sims.core.journal.list({ provider: 'aligo', since }).at(-1)
    expect(reset?.outcome).toBe('reset')
    await withDefects(t, ['no-sms-failover'], async () => {
      const failed = await t.http.post('/v1/auth/otp').send({ phone: phone('kr') })
      expect(failed.status).toBe(503)
    })
  })

  it('sms-outage-twilio: Twilio answers 503 to every send; a US sign-up tries Twilio once, then Aligo, then answers 503 (no Aligo attempt with no-sms-failover)', async () => {
    await apply('sms-outage-twilio')
    const attempt = async () => {
      const number = phone('us')
      const since = sims.core.clock.now()
      const res = await t.http.post('/v1/auth/otp').send({ phone: number })
      const calls = sims.core.journal
        .list({ since })
        .filter((e) => e.provider === 'twilio' || e.provider === 'aligo')
      return { res, calls: calls.map((e) => `${e.provider} ${e.status}`) }
    }
    const correct = await attempt()
    expect(correct.res.status).toBe(503)
    expect(correct.res.body.error.code).toBe('sms_unavailable')
    expect(correct.calls[0]).toBe('twilio 503')
    expect(correct.calls.filter((c) => c.startsWith('twilio'))).toHaveLength(1) // one attempt on a dead primary
    expect(correct.calls.some((c) => c.startsWith('aligo'))).toBe(true) // then the other provider
    // Korean numbers go through Aligo and are not touched by the outage.
    expect((await t.http.post('/v1/auth/otp').send({ phone: phone('kr') })).status).toBe(202)

    await withDefects(t, ['no-sms-failover'], async () => {
      const defect = await attempt()
      expect(defect.res.status).toBe(503)
      expect(defect.calls.some((c) => c.startsWith('aligo'))).toBe(false) // never failed over: caught
    })
  })

  it('payment-timeout-after-charge: Toss charges, every answer is late, reconciliation settles it (never with reconciliation-missing)', async () => {
    const config = t.ref.ctx.config
    const saved = config.reconcileAfterMs
    config.reconcileAfterMs = 30_000 // sooner than Toss retries the lost webhook (1 min)
    /** A Toss purchase whose confirm (the app's POST to Toss) meets the preset; the buyer's own steps come before it. */
    const buyLate = async (user: User) => {
      const created = await t.http
        .post('/v1/payments')
        .set(user.auth)
        .send({ packageId: 'small', provider: 'toss' })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const toss = created.body.toss
      const base = sims.url('toss')
      const query = new URLSearchParams({
        clientKey: toss.clientKey,
        method: 'CARD',
        orderId: toss.orderId,
        orderName: toss.orderName,
        amount: String(created.body.amount),
        successUrl: toss.successUrl,
        failUrl: toss.failUrl,
      })
      const opened = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
      const submitted = await fetch(new URL(opened.headers.get('location')!, base), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'pay' }),
        redirect: 'manual',
      })
      expect(submitted.status).toBe(303)
      const applied = await apply('payment-timeout-after-charge', { provider: 'toss' })
      const landing = new URL(submitted.headers.get('location')!)
      const success = await t.http.get(landing.pathname + landing.search)
      // The outage ends: the preset's fault rules go (its lost webhook attempt stays lost).
      for (const f of applied.faults)
        await control.inject({ method: 'DELETE', url: `/_standin/faults/${f.id}` })
      return { id: created.body.id as string, success, orderId: toss.orderId as string }
    }
    try {
      const user = await signUp(t)
      const late = await buyLate(user)
      expect(late.success.status).toBe(502)
      expect(late.success.body.error.code).toBe('provider_unavailable')
      // Toss did charge: the payment is DONE there, though the app never heard.
      const order = await fetch(`${sims.url('toss')}/v1/payments/orders/${late.orderId}`, {
        headers: { authorization: `Basic ${Buffer.from(`${t.keys.toss.secretKey}:`).toString('base64')}` },
      })
      expect(((await order.json()) as { status: string }).status).toBe('DONE')
      expect(await balance(t, user)).toBe(0)
      await moveClocks(31_000)
      await eventually(async () => (await balance(t, user)) === 50, 15_000)

      await withDefects(t, ['reconciliation-missing'], async () => {
        const other = await signUp(t)
        const missed = await buyLate(other)
        expect(missed.success.status).toBe(502)
        await moveClocks(31_000)
        await eventually(
          async () =>
            (
              await t.ref.db.query(`SELECT 1 FROM jobs WHERE dedupe_key = $1 AND status = 'done'`, [
                `reconcile:${missed.id}`,
              ])
            ).length === 1,
        )
        expect(await balance(t, other)).toBe(0) // charged and never credited: caught
        expect((await t.http.get(`/v1/payments/${missed.id}`).set(other.auth)).body.status).toBe('pending')
      })
    } finally {
      config.reconcileAfterMs = saved
    }
  })

  it('slow-provider: every call is slowed on a long tail; a correct app still completes, one that does not retry timeouts fails', async () => {
    const user = await signUp(t)
    await apply('slow-provider', { provider: 'stripe' })
    const since = sims.core.clock.now()
    const res = await buyStripe(t, user)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const calls = sims.core.journal.list({ provider: 'stripe', since })
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.every((e) => e.fault?.effect === 'latency')).toBe(true)

    // An app whose timeout sits inside the tail (here 250 ms, under the 300 ms median) and does not retry.
    const retry = t.ref.ctx.config.retry
    const saved = { ...retry }
    Object.assign(retry, { timeoutMs: 250 })
    try {
      await withDefects(t, ['no-retry-on-5xx'], async () => {
        const other = await signUp(t)
        let failures = 0
        for (let i = 0; i < 6 && failures === 0; i++)
          if ((await buyStripe(t, other)).status === 502) failures++
        expect(failures).toBe(1)
      })
    } finally {
      Object.assign(retry, saved)
    }
  })

  it('provider-rate-limited: two 429s with Retry-After, then the retry waits at least that long and succeeds (fails with retry-without-backoff)', async () => {
    const creates = (paymentId: string) =>
      sims.core.journal
        .list({ provider: 'stripe', method: 'POST' })
        .filter((e) => JSON.stringify(e.body).includes(paymentId))
    const user = await signUp(t)
    await apply('provider-rate-limited', { provider: 'stripe' })
    const res = await buyStripe(t, user)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const attempts = creates(res.body.id)
    expect(attempts.map((a) => a.status)).toEqual([429, 429, 200])
    expect(attempts[1]!.epochMs - attempts[0]!.epochMs).toBeGreaterThanOrEqual(1000)
    expect(attempts[2]!.epochMs - attempts[1]!.epochMs).toBeGreaterThanOrEqual(1000)
    expect(new Set(attempts.map((a) => a.headers['idempotency-key'])).size).toBe(1)

    await withDefects(t, ['retry-without-backoff'], async () => {
      const other = await signUp(t)
      sims.core.faults.clear()
      await apply('provider-rate-limited', { provider: 'stripe' })
      const hurried = await buyStripe(t, other)
      const tries = creates(hurried.body.id ?? hurried.body.error?.paymentId)
      expect(tries.length).toBeGreaterThanOrEqual(2)
      expect(tries[1]!.epochMs - tries[0]!.epochMs).toBeLessThan(1000) // Retry-After ignored: caught
    })
  })

  it('duplicate-webhooks: every event arrives three times; credits granted once (three times with double-credit-on-duplicate)', async () => {
    const run = async () => {
      const user = await signUp(t)
      await apply('duplicate-webhooks', { provider: 'stripe' })
      const res = await buyStripe(t, user)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      await eventually(
        () => intentDeliveries(res.body.id).filter((d) => d.status === 'delivered').length === 3,
      )
      await webhookJobsDone()
      sims.core.webhooks.clearRules()
      return balance(t, user)
    }
    expect(await run()).toBe(50)
    expect(await withDefects(t, ['double-credit-on-duplicate'], run)).toBeGreaterThan(50) // caught
  })

  it('covers every preset', () => {
    expect([...tested].sort()).toEqual([...names].sort())
  })
})
