import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FaultRuleInput } from '../../simulators/core/faults/schema.ts'
import {
  balance,
  eventually,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  type User,
  withDefects,
} from './harness.ts'
import { buyRazorpay, buyStripe, buyStripeCheckout, buyToss } from './pay.ts'

/** A fault on this user's PaymentIntent creations only (scoped by the metadata the app sends), `times` times. */
function faultStripeCreates(user: User, effect: FaultRuleInput['effect'], times: number) {
  sims.core.faults.add({
    match: {
      provider: 'stripe',
      operation: 'payment_intents.create',
      body: { 'metadata.user_id': user.userId },
    },
    effect,
    times,
  })
}

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

const ledger = (paymentId: string) =>
  t.ref.db.query<{ delta: number }>('SELECT delta FROM credit_ledger WHERE ref = $1', [
    `payment:${paymentId}`,
  ])
const creates = (key: string) =>
  sims.core.journal
    .list({ provider: 'stripe', operation: 'payment_intents.create' })
    .filter((e) => (e.body as { metadata?: { payment_id?: string } }).metadata?.payment_id === key)
    .sort((a, b) => a.seq - b.seq)

describe('Stripe PaymentIntent', () => {
  it('grants credits once, after the verified webhook, with an idempotency key on the create', async () => {
    const user = await signUp(t)
    const res = await buyStripe(t, user, 'medium')
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.credits).toBe(120)
    await eventually(async () => (await balance(t, user)) === 120)
    const [create] = creates(res.body.id)
    expect(create?.headers['idempotency-key']).toBe(`${res.body.id}:create`)
    const payment = await t.http.get(`/v1/payments/${res.body.id}`).set(user.auth)
    expect(payment.body.status).toBe('succeeded')
    expect(await ledger(res.body.id)).toHaveLength(1)
  })

  it('grants once when Stripe delivers the webhook twice (and twice with double-credit-on-duplicate)', async () => {
    for (const [defects, expected] of [
      [[], 50],
      [['double-credit-on-duplicate'], 100],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const user = await signUp(t)
        const rule = sims.core.webhooks.addRule({
          match: { provider: 'stripe', account: t.keys.stripe.secretKey },
          effect: { type: 'duplicate' },
        })
        try {
          const res = await buyStripe(t, user, 'small')
          expect(res.status).toBe(201)
          await eventually(async () => (await balance(t, user)) >= 50)
          await settled(t)
          expect(await balance(t, user)).toBe(expected)
        } finally {
          sims.core.webhooks.removeRule(rule.id)
        }
      })
    }
  })

  it('retries 5xx with exponential backoff and the same idempotency key', async () => {
    const user = await signUp(t)
    faultStripeCreates(user, { type: 'status', status: 503 }, 2)
    const res = await buyStripe(t, user)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const attempts = creates(res.body.id)
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200])
    expect(new Set(attempts.map((a) => a.headers['idempotency-key']))).toEqual(
      new Set([`${res.body.id}:create`]),
    )
    const gaps = attempts.slice(1).map((a, i) => a.epochMs - attempts[i]!.epochMs)
    // Test policy: base 100 ms, so retry n waits between 50·2^(n-1) and 100·2^(n-1) ms (jitter), never less.
    expect(gaps[0]).toBeGreaterThanOrEqual(50)
    expect(gaps[1]).toBeGreaterThanOrEqual(100)
    await eventually(async () => (await balance(t, user)) === 50)
  })

  it('honours Retry-After on 429', async () => {
    const user = await signUp(t)
    sims.core.faults.add({
      match: {
        provider: 'stripe',
        operation: 'payment_intents.create',
        body: { 'metadata.user_id': user.userId },
      },
      effect: {
        type: 'status',
        status: 429,
        headers: { 'retry-after': '1' },
        body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
      },
      times: 1,
    })
    const res = await buyStripe(t, user)
    expect(res.status).toBe(201)
    const attempts = creates(res.body.id)
    expect(attempts).toHaveLength(2)
    expect(attempts[1]!.epochMs - attempts[0]!.epochMs).toBeGreaterThanOrEqual(950)
  })

  it('shows the retry defects in the journal', async () => {
    await withDefects(t, ['no-idempotency-key'], async () => {
      const user = await signUp(t)
      faultStripeCreates(user, { type: 'status', status: 503 }, 1)
      const res = await buyStripe(t, user)
      const keys = creates(res.body.id).map((a) => a.headers['idempotency-key'])
      expect(keys).toHaveLength(2)
      expect(keys[0]).not.toBe(keys[1])
    })
    await withDefects(t, ['no-retry-on-5xx'], async () => {
      const user = await signUp(t)
      faultStripeCreates(user, { type: 'status', status: 503 }, 1)
      const res = await buyStripe(t, user)
      expect(res.status).toBe(502)
      expect(creates(res.body.error.paymentId)).toHaveLength(1)
    })
    await withDefects(t, ['retry-without-backoff'], async () => {
      const user = await signUp(t)
      faultStripeCreates(user, { type: 'status', status: 503 }, 3)
      const res = await buyStripe(t, user)
      const attempts = creates(res.body.id)
      expect(attempts).toHaveLength(4)
      // With backoff the three waits alone take at least 50 + 100 + 200 ms.
      expect(attempts[3]!.epochMs - attempts[0]!.epochMs).toBeLessThan(300)
    })
  })

  it('records the payment as pending after the last retry and settles it by reconciliation', async () => {
    const user = await signUp(t)
    faultStripeCreates(user, { type: 'status', status: 500 }, 4)
    const res = await buyStripe(t, user)
    expect(res.status).toBe(502)
    expect(res.body.error.code).toBe('provider_unavailable')
    const id = res.body.error.paymentId as string
    const calls = await t.ref.db.query<{ outcome: string }>(
      `SELECT outcome FROM provider_calls WHERE operation = 'payment_intents.create' AND idempotency_key = $1`,
      [`${id}:create`],
    )
    expect(calls.map((c) => c.outcome)).toEqual(['error', 'error', 'error', 'error'])
    // The reconciliation job replays the create with the same key and the very same parameters (Stripe
    // never made one, so the replay makes it now, confirmed with the buyer's card): settled once.
    await eventually(
      async () => (await t.http.get(`/v1/payments/${id}`).set(user.auth)).body.status === 'succeeded',
    )
    expect((await t.http.get(`/v1/payments/${id}`).set(user.auth)).body.stripe.paymentIntentId).toMatch(
      /^pi_/,
    )
    await eventually(async () => (await balance(t, user)) === 50)
    expect(await ledger(id)).toHaveLength(1)

    // Every attempt (and the SDK's own resend on a closed connection) loses its answer after Stripe charged:
    // the replay must send what the create sent, or Stripe refuses it (idempotency_error) and nothing settles.
    faultStripeCreates(user, { type: 'hang', ms: 100, phase: 'after' }, 8)
    const lost = await buyStripe(t, user)
    expect(lost.status).toBe(502)
    const lostId = lost.body.error.paymentId as string
    sims.core.faults.clear()
    await eventually(async () => (await balance(t, user)) === 100)
    expect(creates(lostId).filter((e) => e.status === 400)).toHaveLength(0)
    expect(await ledger(lostId)).toHaveLength(1)
  })

  it('fails a declined card with 402', async () => {
    const user = await signUp(t)
    const res = await buyStripe(t, user, 'small', 'pm_card_chargeDeclined')
    expect(res.status).toBe(402)
    expect(res.body.error.code).toBe('payment_failed')
    expect(await balance(t, user)).toBe(0)
  })

  it('refunds: takes the credits back and refunds through Stripe with an idempotency key', async () => {
    const user = await signUp(t)
    const res = await buyStripe(t, user)
    await eventually(async () => (await balance(t, user)) === 50)
    const refund = await t.http.post(`/v1/payments/${res.body.id}/refund`).set(user.auth)
    expect(refund.status).toBe(202)
    expect(await balance(t, user)).toBe(0)
    await eventually(
      async () => (await t.http.get(`/v1/payments/${res.body.id}`).set(user.auth)).body.status === 'refunded',
    )
    const call = sims.core.journal
      .list({ provider: 'stripe', operation: 'refunds.create' })
      .find((e) => e.headers['idempotency-key'] === `${res.body.id}:refund`)
    expect(call?.status).toBe(200)
    const again = await t.http.post(`/v1/payments/${res.body.id}/refund`).set(user.auth)
    expect(again.status).toBe(409)
  })
})

describe('Stripe Checkout', () => {
  it('grants credits from checkout.session.completed', async () => {
    const user = await signUp(t)
    const res = await buyStripeCheckout(t, user, 'large')
    await eventually(async () => (await balance(t, user)) === 300)
    await settled(t)
    expect(await balance(t, user)).toBe(300)
    expect(res.body.stripe.checkoutSessionId).toMatch(/^cs_/)
  })
})

describe('Razorpay', () => {
  it('grants credits after verifying the checkout signature (and not again on the webhook)', async () => {
    const user = await signUp(t)
    const { verified, created } = await buyRazorpay(t, user, 'medium')
    expect(verified.status, JSON.stringify(verified.body)).toBe(200)
    expect(verified.body.status).toBe('succeeded')
    expect(created.body.currency).toBe('inr')
    await sims.core.webhooks.waitFor(
      { provider: 'razorpay', account: t.keys.razorpay.keyId, status: 'delivered' } as never,
      5000,
    )
    await settled(t)
    expect(await balance(t, user)).toBe(120)
  })

  it('refuses a forged checkout signature (accepted with skip-razorpay-signature)', async () => {
    const forge = (r: Record<string, string>) => ({ ...r, razorpay_signature: 'f'.repeat(64) })
    const user = await signUp(t)
    const { verified } = await buyRazorpay(t, user, 'small', forge)
    expect(verified.status).toBe(400)
    expect(verified.body.error).toMatchObject({ code: 'invalid_signature', field: 'razorpay_signature' })
    await withDefects(t, ['skip-razorpay-signature'], async () => {
      const other = await signUp(t)
      const { verified: v2 } = await buyRazorpay(t, other, 'small', forge)
      expect(v2.status).toBe(200)
    })
  })
})

describe('Toss Payments', () => {
  it('confirms from the successUrl and grants credits', async () => {
    const user = await signUp(t)
    const { success, created } = await buyToss(t, user, 'small')
    expect(success.status, JSON.stringify(success.body)).toBe(200)
    expect(success.body.status).toBe('succeeded')
    expect(created.body.currency).toBe('krw')
    expect(await balance(t, user)).toBe(50)
    const confirm = sims.core.journal
      .list({ provider: 'toss', operation: 'payments.confirm' })
      .find((e) => (e.body as { orderId: string }).orderId === created.body.toss.orderId)
    expect(confirm?.headers['idempotency-key']).toBe(`${created.body.id}:confirm`)
  })

  it('refuses a tampered amount (accepted with toss-trust-redirect-amount)', async () => {
    const user = await signUp(t)
    const { success } = await buyToss(t, user, 'xlarge', { windowAmount: 100 })
    expect(success.status).toBe(400)
    expect(success.body.error).toMatchObject({ code: 'amount_mismatch', field: 'amount' })
    expect(await balance(t, user)).toBe(0)
    await withDefects(t, ['toss-trust-redirect-amount'], async () => {
      const other = await signUp(t)
      const { success: s2 } = await buyToss(t, other, 'xlarge', { windowAmount: 100 })
      expect(s2.body.status).toBe('succeeded')
      expect(await balance(t, other)).toBe(600)
    })
  })

  it('settles a confirm whose answer was lost (timeout after Toss charged) through reconciliation', async () => {
    const user = await signUp(t)
    const rule = sims.core.faults.add({
      match: { provider: 'toss', operation: 'payments.confirm' },
      effect: { type: 'hang', ms: 3000, phase: 'after' },
      times: 10,
    })
    // Lose Toss's own webhook too, so the reconciliation job is what settles the payment.
    const lost = sims.core.webhooks.addRule({
      match: { provider: 'toss', account: t.keys.toss.account },
      effect: { type: 'drop', attempts: 10 },
    })
    let created: Awaited<ReturnType<typeof buyToss>>['created']
    try {
      const r = await buyToss(t, user, 'small')
      created = r.created
      // Every attempt (same Idempotency-Key) times out: the payment stays pending, the user is told.
      expect(r.success.status).toBe(502)
      expect(r.success.body.error.code).toBe('provider_unavailable')
    } finally {
      sims.core.faults.remove(rule.id)
    }
    await eventually(async () => (await balance(t, user)) === 50, 15_000)
    sims.core.webhooks.removeRule(lost.id)
    const [p] = await t.ref.db.query<{ details: { fulfilledBy?: string } }>(
      'SELECT details FROM payments WHERE id = $1',
      [created.body.id],
    )
    expect(p?.details.fulfilledBy).toBe('reconcile')
    const ledgerRows = await t.ref.db.query(`SELECT 1 FROM credit_ledger WHERE ref = $1`, [
      `payment:${created.body.id}`,
    ])
    expect(ledgerRows).toHaveLength(1)
  })
})

describe('bad input', () => {
  it('names the field', async () => {
    const user = await signUp(t)
    for (const [body, field] of [
      [{ packageId: 'huge', provider: 'stripe' }, 'packageId'],
      [{ packageId: 'small', provider: 'paypal' }, 'provider'],
      [{ packageId: 'small' }, 'provider'],
      [{ packageId: 'small', provider: 'stripe', method: 'cash' }, 'method'],
    ] as const) {
      const res = await t.http.post('/v1/payments').set(user.auth).send(body)
      expect(res.status).toBe(400)
      expect(res.body.error.field).toBe(field)
    }
    const missing = await t.http.get('/v1/payments/pay_nope').set(user.auth)
    expect(missing.status).toBe(404)
    const confirm = await t.http
      .post('/v1/payments/toss/confirm')
      .set(user.auth)
      .send({ paymentKey: 'x', orderId: 'abc', amount: -1 })
    expect(confirm.status).toBe(400)
  })
})
