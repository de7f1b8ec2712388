import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { startReceiver } from './receiver.ts'
import { APP, CLIENT_KEY, call, orderId, shop, start } from './test-helpers.ts'

let sims: RunningProviders
let base: string
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterAll(() => sims.close())

let n = 0
const customer = () => `customer-${Date.now().toString(36)}-${++n}`

/** requestBillingAuth as a browser would: open the window, register the card, land on successUrl. */
async function authorize(customerKey: string, cardNumber = '4330123412341234', clientKey = CLIENT_KEY) {
  const query = new URLSearchParams({
    clientKey,
    customerKey,
    successUrl: `${APP}/billing/success`,
    failUrl: `${APP}/billing/fail`,
  })
  const page = await fetch(`${base}/v1/billing-window?${query}`)
  expect(page.status).toBe(200)
  const form = new URLSearchParams({ ...Object.fromEntries(query), action: 'register', cardNumber })
  const response = await fetch(`${base}/v1/billing-window`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  })
  expect(response.status).toBe(303)
  return new URL(response.headers.get('location')!)
}

async function billingKeyFor(customerKey: string, cardNumber?: string) {
  const to = await authorize(customerKey, cardNumber)
  const issued = await call(base, 'POST', '/v1/billing/authorizations/issue', {
    body: { authKey: to.searchParams.get('authKey'), customerKey },
  })
  expect(issued.status).toBe(200)
  return issued.body.billingKey as string
}

const charge = (billingKey: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call(base, 'POST', `/v1/billing/${billingKey}`, { body, headers })

describe('billing (automatic payments)', () => {
  it('the billing window redirects with customerKey and a one-time authKey; issue returns the Billing object', async () => {
    const customerKey = customer()
    const to = await authorize(customerKey)
    expect(to.pathname).toBe('/app/billing/success')
    expect(to.searchParams.get('customerKey')).toBe(customerKey)
    const authKey = to.searchParams.get('authKey')!
    const issued = await call(base, 'POST', '/v1/billing/authorizations/issue', {
      body: { authKey, customerKey },
    })
    expect(issued.status).toBe(200)
    expect(issued.body).toMatchObject({
      mId: 'tosspayments',
      customerKey,
      method: '카드',
      card: { issuerCode: '61', number: '43301234****123*', cardType: '신용', ownerType: '개인' },
    })
    expect(issued.body.billingKey).toMatch(/^[A-Za-z0-9]{43}=$/)
    expect(issued.body.authenticatedAt).toMatch(/\+09:00$/)
    const reused = await call(base, 'POST', '/v1/billing/authorizations/issue', {
      body: { authKey, customerKey },
    })
    expect(reused.status).toBe(400)
    expect(reused.body.code).toBe('INVALID_AUTHORIZE_AUTH')
  })

  it('the billing window sends a cancel to failUrl', async () => {
    const query = new URLSearchParams({
      clientKey: CLIENT_KEY,
      customerKey: customer(),
      successUrl: `${APP}/s`,
      failUrl: `${APP}/f`,
    })
    const response = await fetch(`${base}/v1/billing-window`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(query), action: 'cancel' }).toString(),
      redirect: 'manual',
    })
    const to = new URL(response.headers.get('location')!)
    expect(to.pathname).toBe('/app/f')
    expect(to.searchParams.get('code')).toBe('PAY_PROCESS_CANCELED')
  })

  it('charges the billing key every period, so a subscription renews', async () => {
    const customerKey = customer()
    const billingKey = await billingKeyFor(customerKey)
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      const answer = await charge(billingKey, {
        customerKey,
        amount: 4900,
        orderId: orderId(`sub-${month}`),
        orderName: '토스 프라임 구독',
        customerEmail: 'customer@example.com',
        customerName: '박토스',
        taxFreeAmount: 0,
        taxExemptionAmount: 0,
        cardInstallmentPlan: 0,
      })
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({
        type: 'BILLING',
        status: 'DONE',
        method: '카드',
        totalAmount: 4900,
        vat: 445,
      })
      sims.core.clock.advance(30 * 86_400_000)
    }
  })

  it('refuses another customerKey (NOT_MATCHES_CUSTOMER_KEY) and a reused orderId (DUPLICATED_ORDER_ID)', async () => {
    const customerKey = customer()
    const billingKey = await billingKeyFor(customerKey)
    const wrong = await charge(billingKey, {
      customerKey: customer(),
      amount: 4900,
      orderId: orderId(),
      orderName: 'x',
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body).toEqual({
      code: 'NOT_MATCHES_CUSTOMER_KEY',
      message: '빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.',
    })
    const order = orderId('renewal')
    expect(
      (await charge(billingKey, { customerKey, amount: 4900, orderId: order, orderName: 'x' })).status,
    ).toBe(200)
    const dup = await charge(billingKey, { customerKey, amount: 4900, orderId: order, orderName: 'x' })
    expect(dup.status).toBe(400)
    expect(dup.body.code).toBe('DUPLICATED_ORDER_ID')
  })

  it('a card whose charges are refused: REJECT_CARD_PAYMENT and an ABORTED payment', async () => {
    const customerKey = customer()
    const billingKey = await billingKeyFor(customerKey, '4000000000000341')
    const order = orderId('declined')
    const answer = await charge(billingKey, { customerKey, amount: 9900, orderId: order, orderName: 'x' })
    expect(answer.status).toBe(403)
    expect(answer.body.code).toBe('REJECT_CARD_PAYMENT')
    const payment = await call(base, 'GET', `/v1/payments/orders/${order}`)
    expect(payment.body).toMatchObject({
      status: 'ABORTED',
      type: 'BILLING',
      failure: { code: 'REJECT_CARD_PAYMENT' },
    })
  })

  it('answers INVALID_BILL_KEY_REQUEST for an unknown billing key', async () => {
    const answer = await charge('unknownBillingKey0000000000000000000000000=', {
      customerKey: customer(),
      amount: 4900,
      orderId: orderId(),
      orderName: 'x',
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INVALID_BILL_KEY_REQUEST')
  })

  it('replays a charge retried with the same Idempotency-Key: one payment, not two', async () => {
    const customerKey = customer()
    const billingKey = await billingKeyFor(customerKey)
    const body = { customerKey, amount: 4900, orderId: orderId(), orderName: 'x' }
    const first = await charge(billingKey, body, { 'Idempotency-Key': `renew-${body.orderId}` })
    const retry = await charge(billingKey, body, { 'Idempotency-Key': `renew-${body.orderId}` })
    expect(retry.status).toBe(200)
    expect(retry.body.paymentKey).toBe(first.body.paymentKey)
  })

  it('issues a billing key from card details, refusing an expired card', async () => {
    const customerKey = customer()
    const body = {
      customerKey,
      cardNumber: '4330123412341234',
      cardExpirationYear: '39',
      cardExpirationMonth: '12',
      customerIdentityNumber: '881212',
    }
    const ok = await call(base, 'POST', '/v1/billing/authorizations/card', { body })
    expect(ok.status).toBe(200)
    expect(ok.body.customerKey).toBe(customerKey)
    const expired = await call(base, 'POST', '/v1/billing/authorizations/card', {
      body: { ...body, cardExpirationYear: '20' },
    })
    expect(expired.status).toBe(400)
    expect(expired.body.code).toBe('INVALID_CARD_EXPIRATION')
  })

  it('sends no webhook for a billing charge; BILLING_DELETED when the key is deleted, and charges stop', async () => {
    const receiver = await startReceiver()
    const m = shop(`bill${Date.now().toString(36)}`)
    sims.core.webhooks.addEndpoint({
      provider: 'toss',
      account: m.account,
      url: receiver.url,
      source: 'config',
    })
    try {
      const customerKey = customer()
      const to = await authorize(customerKey, undefined, m.clientKey)
      const issued = await call(base, 'POST', '/v1/billing/authorizations/issue', {
        body: { authKey: to.searchParams.get('authKey'), customerKey },
        key: m.secretKey,
      })
      const billingKey = issued.body.billingKey
      const paid = await call(base, 'POST', `/v1/billing/${billingKey}`, {
        body: { customerKey, amount: 4900, orderId: orderId(), orderName: 'x' },
        key: m.secretKey,
      })
      expect(paid.status).toBe(200)
      await sims.core.settled()
      expect(receiver.hits).toHaveLength(0)

      await sims.runtime('toss').trigger('billing.deleted', m.account, { billingKey })
      const [hit] = await receiver.waitFor(1)
      expect(hit!.body).toMatchObject({
        eventType: 'BILLING_DELETED',
        data: { billingKey, reason: '삭제 API 요청' },
      })
      const after = await call(base, 'POST', `/v1/billing/${billingKey}`, {
        body: { customerKey, amount: 4900, orderId: orderId(), orderName: 'x' },
        key: m.secretKey,
      })
      expect(after.body.code).toBe('INVALID_BILL_KEY_REQUEST')
    } finally {
      await receiver.close()
    }
  })
})
