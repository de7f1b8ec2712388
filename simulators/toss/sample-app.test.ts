import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { start } from './test-helpers.ts'

/**
 * The requests of Toss's own sample (tosspayments/tosspayments-sample,
 * express-javascript): the v2 SDK's requestPayment parameters per method, the
 * success page posting the query's amount as a string, and the server's fetch
 * calls with `"Basic " + Buffer.from(secretKey + ":").toString("base64")`.
 */
let sims: RunningProviders
let base: string
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterAll(() => sims.close())

const clientKey = 'test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq'
const apiSecretKey = 'test_sk_aBX7zk2yd8yoXwoJ0gqVx9POLqKQ'
const encryptedApiSecretKey = `Basic ${Buffer.from(`${apiSecretKey}:`).toString('base64')}`
const origin = 'http://localhost:4000'

/** What the SDK stand-in sends for payment.requestPayment(params): nested objects as bracket keys. */
function windowQuery(
  params: Record<string, unknown>,
  prefix = '',
  out = new URLSearchParams(),
): URLSearchParams {
  for (const [k, v] of Object.entries(params)) {
    const name = prefix ? `${prefix}[${k}]` : k
    if (v !== null && typeof v === 'object') windowQuery(v as Record<string, unknown>, name, out)
    else if (v !== undefined) out.append(name, String(v))
  }
  return out
}

function generateRandomString() {
  return Buffer.from(String(Math.random())).toString('base64').slice(0, 20)
}

async function pay(params: Record<string, unknown>, form: Record<string, string> = {}) {
  const query = windowQuery({ clientKey, customerKey: generateRandomString(), ...params })
  const opened = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
  expect(opened.status, await opened.clone().text()).toBe(303)
  const submitted = await fetch(`${base}${opened.headers.get('location')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'pay', ...form }).toString(),
    redirect: 'manual',
  })
  return new URL(submitted.headers.get('location')!)
}

async function confirm(urlParams: URLSearchParams) {
  const requestData = {
    paymentKey: urlParams.get('paymentKey'),
    orderId: urlParams.get('orderId'),
    amount: urlParams.get('amount'),
  }
  const response = await fetch(`${base}/v1/payments/confirm`, {
    method: 'POST',
    headers: { Authorization: encryptedApiSecretKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      orderId: requestData.orderId,
      amount: requestData.amount,
      paymentKey: requestData.paymentKey,
    }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const common = {
  amount: { currency: 'KRW', value: 50000 },
  orderName: '토스 티셔츠 외 2건',
  successUrl: `${origin}/payment/success.html`,
  failUrl: `${origin}/fail.html`,
  customerEmail: 'customer123@gmail.com',
  customerName: '김토스',
}

describe("Toss's sample app, unchanged but for the base URL", () => {
  it.each([
    [
      'CARD',
      { card: { useEscrow: false, flowMode: 'DEFAULT', useCardPoint: false, useAppCardOnly: false } },
      '카드',
      'DONE',
    ],
    ['TRANSFER', { transfer: { cashReceipt: { type: '소득공제' }, useEscrow: false } }, '계좌이체', 'DONE'],
    [
      'VIRTUAL_ACCOUNT',
      { virtualAccount: { cashReceipt: { type: '소득공제' }, useEscrow: false, validHours: 24 } },
      '가상계좌',
      'WAITING_FOR_DEPOSIT',
    ],
    ['MOBILE_PHONE', {}, '휴대폰', 'DONE'],
    ['CULTURE_GIFT_CERTIFICATE', {}, '문화상품권', 'DONE'],
  ])('%s: requestPayment → success.html → POST /confirm', async (method, extra, label, status) => {
    const to = await pay({ method, orderId: generateRandomString(), ...common, ...extra })
    expect(to.pathname).toBe('/payment/success.html')
    const answer = await confirm(to.searchParams)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ method: label, status, totalAmount: 50000 })
  })

  it('FOREIGN_EASY_PAY: PayPal in USD', async () => {
    const to = await pay({
      method: 'FOREIGN_EASY_PAY',
      ...common,
      amount: { value: 100, currency: 'USD' },
      orderId: generateRandomString(),
      foreignEasyPay: { provider: 'PAYPAL', country: 'KR' },
    })
    expect(to.searchParams.get('amount')).toBe('100')
    const answer = await confirm(to.searchParams)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      method: '해외간편결제',
      currency: 'USD',
      totalAmount: 100,
      status: 'DONE',
    })
  })

  it('the virtual account is due 24 hours later, as validHours asked', async () => {
    const to = await pay({
      method: 'VIRTUAL_ACCOUNT',
      orderId: generateRandomString(),
      ...common,
      virtualAccount: { validHours: 24 },
    })
    const answer = await confirm(to.searchParams)
    const va = answer.body.virtualAccount as { dueDate: string }
    const hours = (Date.parse(va.dueDate) - Date.parse(answer.body.requestedAt as string)) / 3_600_000
    expect(Math.round(hours)).toBe(24)
  })

  it('billing.html → /issue-billing-key → /confirm-billing', async () => {
    const customerKey = generateRandomString()
    const query = new URLSearchParams({
      clientKey,
      customerKey,
      method: 'CARD',
      successUrl: `${origin}/payment/billing.html?billingMethod=CARD&`,
      failUrl: `${origin}/fail.html`,
      customerEmail: 'customer123@gmail.com',
      customerName: '김토스',
    })
    const registered = await fetch(`${base}/v1/billing-window`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...Object.fromEntries(query),
        action: 'register',
        cardNumber: '4330123412341234',
      }).toString(),
      redirect: 'manual',
    })
    const to = new URL(registered.headers.get('location')!)
    expect(to.searchParams.get('billingMethod')).toBe('CARD')
    const issued = await fetch(`${base}/v1/billing/authorizations/issue`, {
      method: 'POST',
      headers: { Authorization: encryptedApiSecretKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customerKey, authKey: to.searchParams.get('authKey') }),
    })
    const result = (await issued.json()) as { billingKey: string }
    expect(issued.status).toBe(200)
    const charged = await fetch(`${base}/v1/billing/${result.billingKey}`, {
      method: 'POST',
      headers: { Authorization: encryptedApiSecretKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        customerKey,
        amount: 4900,
        orderId: generateRandomString(),
        orderName: '토스 프라임 구독',
        customerEmail: 'customer123@gmail.com',
        customerName: '김토스',
      }),
    })
    expect(charged.status).toBe(200)
    expect(await charged.json()).toMatchObject({ type: 'BILLING', status: 'DONE', totalAmount: 4900 })
  })
})
