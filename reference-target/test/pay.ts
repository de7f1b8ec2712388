import { expect } from 'vitest'
import { payOrder } from '../../simulators/razorpay/checkout/driver.ts'
import type { TestApp, User } from './harness.ts'

/** Stripe PaymentIntent confirmed server-side with a test PaymentMethod. */
export async function buyStripe(
  t: TestApp,
  user: User,
  packageId = 'small',
  paymentMethodId = 'pm_card_visa',
) {
  const res = await t.http
    .post('/v1/payments')
    .set(user.auth)
    .send({ packageId, provider: 'stripe', paymentMethodId })
  return res
}

/** Stripe Checkout: create the session, pay on the hosted page as a browser would. */
export async function buyStripeCheckout(t: TestApp, user: User, packageId = 'small') {
  const res = await t.http
    .post('/v1/payments')
    .set(user.auth)
    .send({ packageId, provider: 'stripe', method: 'checkout' })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  const url = res.body.stripe.checkoutUrl as string
  const page = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email: 'buyer@example.com',
      billingName: 'Buyer',
      cardNumber: '4242 4242 4242 4242',
      cardExpiry: '12 / 34',
      cardCvc: '123',
    }),
    redirect: 'manual',
  })
  expect([200, 302, 303]).toContain(page.status)
  return res
}

/** Razorpay: create the order, pay it on the hosted checkout, post the handler's result to the app. */
export async function buyRazorpay(
  t: TestApp,
  user: User,
  packageId = 'small',
  tamper?: (r: Record<string, string>) => Record<string, string>,
) {
  const created = await t.http.post('/v1/payments').set(user.auth).send({ packageId, provider: 'razorpay' })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const paid = await payOrder(t.sims.url('razorpay'), created.body.razorpay.orderId, {
    method: 'upi',
    vpa: 'success@razorpay',
  })
  if (!paid.ok) throw new Error(`razorpay checkout failed: ${JSON.stringify(paid)}`)
  const response = tamper ? tamper(paid.response) : paid.response
  const verified = await t.http
    .post(`/v1/payments/${created.body.id}/razorpay/verify`)
    .set(user.auth)
    .send(response)
  return { created, verified, response }
}

/** Toss: open the payment window (the browser SDK would), pay, and land on the app's successUrl. */
export async function buyToss(
  t: TestApp,
  user: User,
  packageId = 'small',
  options: { windowAmount?: number } = {},
) {
  const created = await t.http.post('/v1/payments').set(user.auth).send({ packageId, provider: 'toss' })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const toss = created.body.toss
  const query = new URLSearchParams({
    clientKey: toss.clientKey,
    method: 'CARD',
    orderId: toss.orderId,
    orderName: toss.orderName,
    amount: String(options.windowAmount ?? created.body.amount),
    successUrl: toss.successUrl,
    failUrl: toss.failUrl,
  })
  const base = t.sims.url('toss')
  const opened = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
  expect(opened.status, await opened.clone().text()).toBe(303)
  const submitted = await fetch(new URL(opened.headers.get('location')!, base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'pay' }),
    redirect: 'manual',
  })
  expect(submitted.status, await submitted.clone().text()).toBe(303)
  const landing = new URL(submitted.headers.get('location')!)
  const success = await t.http.get(landing.pathname + landing.search)
  return { created, success, landing }
}
