import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  advance,
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
import { buyStripe, buyToss } from './pay.ts'

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

async function buyCard(buyer: User, packageId = 'small', recipientPhone?: string) {
  const email = `gift.${buyer.phone.slice(-6)}.${Math.random().toString(36).slice(2, 6)}@example.com`
  const since = sims.core.clock.now()
  const created = await t.http
    .post('/v1/gift-cards')
    .set(buyer.auth)
    .send({ packageId, provider: 'toss', recipientEmail: email, recipientPhone })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const toss = created.body.payment.toss
  const q = new URLSearchParams({
    clientKey: toss.clientKey,
    method: 'CARD',
    orderId: toss.orderId,
    orderName: toss.orderName,
    amount: String(created.body.payment.amount),
    successUrl: toss.successUrl,
    failUrl: toss.failUrl,
  })
  const base = sims.url('toss')
  const opened = await fetch(`${base}/v1/payment-window?${q}`, { redirect: 'manual' })
  const paid = await fetch(new URL(opened.headers.get('location')!, base), {
    method: 'POST',
    body: new URLSearchParams({ action: 'pay' }),
    redirect: 'manual',
  })
  const landing = new URL(paid.headers.get('location')!)
  expect((await t.http.get(landing.pathname + landing.search)).body.status).toBe('succeeded')
  const mail = await sims.core.inbox.waitFor({ to: email, channel: 'email', since }, 8000)
  const code = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(mail?.text ?? '')?.[0]
  expect(code, 'gift card code in the email').toBeDefined()
  return { code: code!, email, since }
}

describe('gift cards', () => {
  it('delivers the code by email and SMS once paid; balance, partial and full redemption', async () => {
    const buyer = await signUp(t)
    const friend = await signUp(t)
    const { code, since } = await buyCard(buyer, 'medium', friend.phone)
    const sms = await sims.core.inbox.waitFor(
      { to: friend.phone, channel: 'sms', since, contains: code },
      8000,
    )
    expect(sms).toBeDefined()
    expect((await t.http.get(`/v1/gift-cards/${code}`).set(friend.auth)).body.balance).toBe(120)
    const part = await t.http.post(`/v1/gift-cards/${code}/redeem`).set(friend.auth).send({ amount: 20 })
    expect(part.body).toMatchObject({ redeemed: 20, remainingBalance: 100 })
    const rest = await t.http.post(`/v1/gift-cards/${code}/redeem`).set(friend.auth).send({})
    expect(rest.body).toMatchObject({ redeemed: 100, remainingBalance: 0 })
    expect(await balance(t, friend)).toBe(120)
    expect(await balance(t, buyer)).toBe(0)
    const empty = await t.http.post(`/v1/gift-cards/${code}/redeem`).set(friend.auth).send({})
    expect(empty.status).toBe(409)
  })

  it('never double-spends under concurrent redemptions (and does with gift-card-double-redeem)', async () => {
    for (const [defects, expectedWins] of [
      [[], 1],
      [['gift-card-double-redeem'], 2],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const buyer = await signUp(t)
        const users = [await signUp(t), await signUp(t), await signUp(t), await signUp(t)]
        const { code } = await buyCard(buyer, 'small')
        const results = await Promise.all(
          users.map((u) => t.http.post(`/v1/gift-cards/${code}/redeem`).set(u.auth).send({ amount: 50 })),
        )
        const wins = results.filter((r) => r.status === 200).length
        if (expectedWins === 1) {
          expect(wins).toBe(1)
          expect(results.filter((r) => r.status === 409)).toHaveLength(3)
        } else expect(wins).toBeGreaterThanOrEqual(expectedWins)
        const credited = (await Promise.all(users.map((u) => balance(t, u)))).reduce((a, b) => a + b, 0)
        expect(credited === 50).toBe(expectedWins === 1)
      })
    }
  })

  it('refuses unknown, malformed and expired codes', async () => {
    const buyer = await signUp(t)
    expect((await t.http.get('/v1/gift-cards/AAAA-BBBB-CCCC-DDDD').set(buyer.auth)).status).toBe(404)
    const bad = await t.http.post('/v1/gift-cards/nope/redeem').set(buyer.auth).send({})
    expect(bad.status).toBe(400)
    expect(bad.body.error.field).toBe('code')
    const { code } = await buyCard(buyer)
    expect(
      (await t.http.post(`/v1/gift-cards/${code}/redeem`).set(buyer.auth).send({ amount: 0 })).body.error
        .field,
    ).toBe('amount')
    await advance(t, 366 * 24 * 3600_000)
    // A year later the old session has expired too: sign in again.
    const later = await signUp(t, { phone: buyer.phone, profile: false })
    const expired = await t.http.post(`/v1/gift-cards/${code}/redeem`).set(later.auth).send({})
    expect(expired.status).toBe(410)
    expect(expired.body.error.code).toBe('gift_card_expired')
  })

  it('can be bought through Stripe too', async () => {
    const buyer = await signUp(t)
    const email = `gift.stripe.${buyer.phone.slice(-6)}@example.com`
    const since = sims.core.clock.now()
    const res = await t.http.post('/v1/gift-cards').set(buyer.auth).send({
      packageId: 'small',
      provider: 'stripe',
      paymentMethodId: 'pm_card_visa',
      recipientEmail: email,
    })
    expect(res.status).toBe(201)
    const mail = await sims.core.inbox.waitFor({ to: email, channel: 'email', since }, 8000)
    expect(mail?.text).toMatch(/[A-Z0-9]{4}-[A-Z0-9]{4}/)
  })
})

describe('premium subscriptions', () => {
  async function tossBillingAuth(customerKey: string) {
    const base = sims.url('toss')
    const res = await fetch(`${base}/v1/billing-window`, {
      method: 'POST',
      body: new URLSearchParams({
        clientKey: t.keys.toss.clientKey,
        customerKey,
        successUrl: `${t.url}/billing/success`,
        failUrl: `${t.url}/billing/fail`,
        action: 'register',
        cardNumber: '4330123412341234',
      }),
      redirect: 'manual',
    })
    expect(res.status, await res.clone().text()).toBe(303)
    return new URL(res.headers.get('location')!).searchParams.get('authKey')!
  }

  it('charges a Toss billing key monthly; a failed renewal gives a grace period, then downgrades', async () => {
    for (const [defects, premiumAfterGrace] of [
      [[], false],
      [['failed-renewal-never-downgrades'], true],
    ] as const) {
      await withDefects(t, [...defects], async () => {
        const user = await signUp(t)
        const customerKey = `cust_${user.userId}`
        const sub = await t.http
          .post('/v1/subscriptions')
          .set(user.auth)
          .send({ provider: 'toss', authKey: await tossBillingAuth(customerKey), customerKey })
        expect(sub.status, JSON.stringify(sub.body)).toBe(201)
        expect(sub.body).toMatchObject({
          premium: true,
          subscription: { status: 'active', provider: 'toss' },
        })
        const rule = sims.core.faults.add({
          match: { provider: 'toss', operation: 'billing.charge', body: { customerKey } },
          effect: { type: 'provider-error', error: 'REJECT_CARD_PAYMENT' },
        })
        try {
          await advance(t, 30 * 24 * 3600_000 + 1000)
          const pastDue = await eventually(async () => {
            const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
            return s.subscription.status === 'past_due' ? s : undefined
          })
          expect(pastDue.premium).toBe(true)
          await advance(t, t.config.graceMs + 1000)
          await settled(t)
          const after = await eventually(async () => {
            const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
            return premiumAfterGrace || s.subscription.status === 'expired' ? s : undefined
          })
          expect(after.premium).toBe(premiumAfterGrace)
        } finally {
          sims.core.faults.remove(rule.id)
        }
      })
    }
  })

  it('starts Premium through a Stripe subscription once invoice.paid arrives', async () => {
    const user = await signUp(t)
    const res = await t.http
      .post('/v1/subscriptions')
      .set(user.auth)
      .send({ provider: 'stripe', paymentMethodId: 'pm_card_visa' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const active = await eventually(async () => {
      const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
      return s.subscription?.status === 'active' ? s : undefined
    })
    expect(active.premium).toBe(true)
    expect(active.subscription.stripeSubscriptionId).toMatch(/^sub_/)
    // A renewal that fails: switch the customer to a card that attaches but declines, then let the period end.
    const stripe = new Stripe(t.keys.stripe.secretKey, {
      host: '127.0.0.1',
      port: sims.port('stripe'),
      protocol: 'http',
      maxNetworkRetries: 0,
    })
    const stripeSub = await stripe.subscriptions.retrieve(active.subscription.stripeSubscriptionId)
    const customer = typeof stripeSub.customer === 'string' ? stripeSub.customer : stripeSub.customer.id
    const pm = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer })
    await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } })
    await stripe.subscriptions.update(stripeSub.id, { default_payment_method: pm.id })
    // Past the period end and the hour Stripe keeps a renewal draft, but not past the app's grace period.
    await advance(t, 31 * 24 * 3600_000 + 2 * 3600_000)
    const pastDue = await eventually(async () => {
      const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
      return s.subscription.status === 'past_due' ? s : undefined
    }, 15_000)
    expect(pastDue.premium).toBe(true)
    await advance(t, t.config.graceMs + 1000)
    const expired = await eventually(async () => {
      const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
      return s.subscription.status === 'expired' ? s : undefined
    }, 15_000)
    expect(expired.premium).toBe(false)
  })

  it('starts Premium through a hosted Stripe Checkout page (mode subscription)', async () => {
    const user = await signUp(t)
    const res = await t.http
      .post('/v1/subscriptions')
      .set(user.auth)
      .send({ provider: 'stripe', method: 'checkout' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.premium).toBe(false)
    const page = await fetch(res.body.checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'sub@example.com',
        billingName: 'Sub',
        cardNumber: '4242424242424242',
        cardExpiry: '12 / 34',
        cardCvc: '123',
      }),
      redirect: 'manual',
    })
    expect([200, 302, 303]).toContain(page.status)
    const active = await eventually(async () => {
      const s = (await t.http.get('/v1/subscriptions/current').set(user.auth)).body
      return s.subscription?.status === 'active' ? s : undefined
    })
    expect(active.premium).toBe(true)
    expect(active.subscription.stripeSubscriptionId).toMatch(/^sub_/)
  })

  it('refuses bad input', async () => {
    const user = await signUp(t)
    expect(
      (await t.http.post('/v1/subscriptions').set(user.auth).send({ provider: 'paypal' })).body.error.field,
    ).toBe('provider')
    expect(
      (await t.http.post('/v1/subscriptions').set(user.auth).send({ provider: 'toss', customerKey: 'ck' }))
        .body.error.field,
    ).toBe('authKey')
  })
})

it('keeps buyStripe/buyToss helpers in use', () => {
  expect(typeof buyStripe).toBe('function')
  expect(typeof buyToss).toBe('function')
})
