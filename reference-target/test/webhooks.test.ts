import { createHmac } from 'node:crypto'
import Stripe from 'stripe'
import twilio from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  balance,
  eventually,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  withDefects,
} from './harness.ts'
import { buyStripe } from './pay.ts'

let sims: Sims
let t: TestApp
const stripe = new Stripe('sk_test_unused')
beforeAll(async () => {
  sims = await startSims()
  t = await startApp(sims)
}, 180_000)
afterAll(async () => {
  await t?.close()
  await sims?.close()
})

function stripeEvent(paymentId: string, amount: number, id = `evt_${Math.random().toString(36).slice(2)}`) {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: {
      object: {
        id: `pi_forged_${id}`,
        object: 'payment_intent',
        amount,
        amount_received: amount,
        currency: 'usd',
        status: 'succeeded',
        metadata: { payment_id: paymentId },
      },
    },
  })
}
const signStripe = (payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })

async function pendingPayment(user: Awaited<ReturnType<typeof signUp>>) {
  const res = await t.http
    .post('/v1/payments')
    .set(user.auth)
    .send({ packageId: 'small', provider: 'stripe' })
  expect(res.status).toBe(201)
  return res.body as { id: string; amount: number }
}

describe('webhook signatures', () => {
  it('Stripe: rejects a missing, forged or stale signature; accepts and dedupes a valid one', async () => {
    const user = await signUp(t)
    const payment = await pendingPayment(user)
    const body = stripeEvent(payment.id, payment.amount)
    const post = (headers: Record<string, string>) =>
      t.http
        .post('/webhooks/stripe')
        .set({ 'content-type': 'application/json', ...headers })
        .send(body)
    expect((await post({})).body.error).toMatchObject({
      code: 'invalid_signature',
      field: 'stripe-signature',
    })
    expect((await post({ 'stripe-signature': signStripe(body, 'whsec_wrong') })).status).toBe(400)
    const stale = await post({
      'stripe-signature': signStripe(body, t.keys.stripe.webhookSecret, Math.floor(Date.now() / 1000) - 3600),
    })
    expect(stale.body.error.code).toBe('stale_timestamp')
    expect(await balance(t, user)).toBe(0)
    const good = await post({ 'stripe-signature': signStripe(body, t.keys.stripe.webhookSecret) })
    expect(good.status).toBe(200)
    expect(good.body.duplicate).toBe(false)
    const again = await post({ 'stripe-signature': signStripe(body, t.keys.stripe.webhookSecret) })
    expect(again.body.duplicate).toBe(true)
    await eventually(async () => (await balance(t, user)) === 50)
    const [row] = await t.ref.db.query<{ raw: string }>(
      `SELECT raw FROM webhook_events WHERE provider = 'stripe' AND event_id = $1`,
      [JSON.parse(body).id],
    )
    expect(row?.raw).toBe(body)
  })

  it('Stripe: a forged event credits with skip-webhook-signature; a stale one passes with accept-stale-webhook', async () => {
    await withDefects(t, ['skip-webhook-signature'], async () => {
      const user = await signUp(t)
      const payment = await pendingPayment(user)
      const res = await t.http
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .send(stripeEvent(payment.id, payment.amount))
      expect(res.status).toBe(200)
      await eventually(async () => (await balance(t, user)) === 50)
    })
    await withDefects(t, ['accept-stale-webhook'], async () => {
      const user = await signUp(t)
      const payment = await pendingPayment(user)
      const body = stripeEvent(payment.id, payment.amount)
      const res = await t.http
        .post('/webhooks/stripe')
        .set({
          'content-type': 'application/json',
          'stripe-signature': signStripe(
            body,
            t.keys.stripe.webhookSecret,
            Math.floor(Date.now() / 1000) - 3600,
          ),
        })
        .send(body)
      expect(res.status).toBe(200)
    })
  })

  it('Stripe: a delivery with a bad signature (standin rule) is refused, the retry with a good one credits once', async () => {
    const user = await signUp(t)
    const rule = sims.core.webhooks.addRule({
      match: { provider: 'stripe', account: t.keys.stripe.secretKey, eventType: 'payment_intent.succeeded' },
      effect: { type: 'bad-signature', attempts: 1 },
      times: 1,
    })
    try {
      const res = await buyStripe(t, user)
      const delivery = await eventually(() =>
        sims.core.webhooks
          .listDeliveries({
            provider: 'stripe',
            account: t.keys.stripe.secretKey,
            eventType: 'payment_intent.succeeded',
            payloadContains: res.body.id,
          })
          .find((d) => d.attempts.length > 0),
      )
      expect(delivery?.attempts[0]?.status).toBe(400)
      await settled(t)
      expect(await balance(t, user)).toBe(0)
      // Stripe retries on its schedule; move standin's clock past the first retry.
      sims.core.clock.advance(2 * 3600_000)
      await eventually(async () => (await balance(t, user)) === 50)
    } finally {
      sims.core.webhooks.removeRule(rule.id)
    }
  })

  it('Razorpay: checks X-Razorpay-Signature over the raw body', async () => {
    const body = JSON.stringify({
      entity: 'event',
      event: 'payment.captured',
      payload: { payment: { entity: { id: 'pay_x', order_id: 'order_none', amount: 100 } } },
    })
    const sig = (secret: string) => createHmac('sha256', secret).update(body).digest('hex')
    const post = (headers: Record<string, string>) =>
      t.http
        .post('/webhooks/razorpay')
        .set({ 'content-type': 'application/json', ...headers })
        .send(body)
    expect((await post({})).body.error.field).toBe('x-razorpay-signature')
    expect((await post({ 'x-razorpay-signature': sig('wrong') })).status).toBe(400)
    expect(
      (
        await post({
          'x-razorpay-signature': sig(t.keys.razorpay.webhookSecret),
          'x-razorpay-event-id': 'evt_rzp_1',
        })
      ).status,
    ).toBe(200)
  })

  it('Twilio: checks X-Twilio-Signature over the public URL and the form', async () => {
    const params = { MessageSid: 'SMforged', MessageStatus: 'delivered', To: '+14155550100' }
    const url = `${t.url}/webhooks/twilio/status`
    const form = new URLSearchParams(params).toString()
    const post = (signature?: string) =>
      t.http
        .post('/webhooks/twilio/status')
        .set({
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        })
        .send(form)
    expect((await post()).status).toBe(400)
    expect((await post(twilio.getExpectedTwilioSignature('wrong-token', url, params))).status).toBe(400)
    expect((await post(twilio.getExpectedTwilioSignature(t.keys.twilio.authToken, url, params))).status).toBe(
      200,
    )
  })

  it('SendGrid: checks the ECDSA signature', async () => {
    const body = '[{"email":"x@example.com","event":"bounce","sg_event_id":"sg_forged_1","timestamp":1}]\r\n'
    const res = await t.http
      .post('/webhooks/sendgrid')
      .set({
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': 'MEUCIQDforged',
        'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      })
      .send(body)
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe('x-twilio-email-event-webhook-signature')
  })

  it('Toss: an unsigned forged DONE does not credit (the payment is re-fetched); it does with skip-webhook-signature', async () => {
    const forged = (orderId: string, amount: number) =>
      JSON.stringify({
        eventType: 'PAYMENT_STATUS_CHANGED',
        createdAt: '2026-01-01T00:00:00.000000',
        data: {
          paymentKey: `pk_forged_${orderId}`,
          orderId,
          status: 'DONE',
          totalAmount: amount,
          lastTransactionKey: 'tx1',
        },
      })
    const user = await signUp(t)
    const created = await t.http
      .post('/v1/payments')
      .set(user.auth)
      .send({ packageId: 'small', provider: 'toss' })
    const res = await t.http
      .post('/webhooks/toss')
      .set('content-type', 'application/json')
      .send(forged(created.body.toss.orderId, created.body.amount))
    expect(res.status).toBe(200)
    await settled(t)
    expect(await balance(t, user)).toBe(0)
    await withDefects(t, ['skip-webhook-signature'], async () => {
      const other = await signUp(t)
      const c2 = await t.http
        .post('/v1/payments')
        .set(other.auth)
        .send({ packageId: 'small', provider: 'toss' })
      await t.http
        .post('/webhooks/toss')
        .set('content-type', 'application/json')
        .send(forged(c2.body.toss.orderId, c2.body.amount))
      await eventually(async () => (await balance(t, other)) === 50)
    })
  })

  it('answers 400 on malformed bodies, never 500', async () => {
    for (const path of ['/webhooks/razorpay', '/webhooks/toss', '/webhooks/sendgrid'])
      await withDefects(t, ['skip-webhook-signature'], async () => {
        const res = await t.http.post(path).set('content-type', 'application/json').send('{not json')
        expect(res.status).toBe(400)
      })
  })
})
