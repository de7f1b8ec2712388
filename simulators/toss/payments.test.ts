import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import {
  APP,
  authenticated,
  basic,
  CLIENT_KEY,
  call,
  confirmed,
  openWindow,
  orderId,
  SECRET_KEY,
  start,
  submitWindow,
} from './test-helpers.ts'

let sims: RunningProviders
let base: string
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterAll(() => sims.close())

describe('authentication', () => {
  it('answers 401 UNAUTHORIZED_KEY without credentials', async () => {
    const answer = await call(base, 'GET', '/v1/payments/nope', { key: null })
    expect(answer.status).toBe(401)
    expect(answer.body).toEqual({
      code: 'UNAUTHORIZED_KEY',
      message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.',
    })
  })

  it('refuses a client key, an unknown key shape and a BOM before the key', async () => {
    for (const key of [CLIENT_KEY, 'sk_live_whatever', '\uFEFFtest_sk_vitestShop01']) {
      const answer = await call(base, 'GET', '/v1/payments/nope', { key })
      expect(answer.status, key).toBe(401)
      expect(answer.body.code).toBe('UNAUTHORIZED_KEY')
    }
  })

  it('answers INCORRECT_BASIC_AUTH_FORMAT when the colon is missing', async () => {
    const answer = await call(base, 'GET', '/v1/payments/nope', {
      headers: { Authorization: `Basic ${Buffer.from(SECRET_KEY).toString('base64')}` },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INCORRECT_BASIC_AUTH_FORMAT')
  })

  it('answers in English with Accept-Language: en-US', async () => {
    const answer = await call(base, 'GET', '/v1/payments/nope', { headers: { 'Accept-Language': 'en-US' } })
    expect(answer.status).toBe(404)
    expect(answer.body.code).toBe('NOT_FOUND_PAYMENT')
    expect(answer.body.message).toMatch(/^Payment information does not exist/)
  })

  it('keeps accounts apart: a payment of one secret key is unknown to another', async () => {
    const payment = await confirmed(base)
    const other = await call(base, 'GET', `/v1/payments/${payment.paymentKey}`, {
      key: 'test_sk_someoneElse',
    })
    expect(other.status).toBe(404)
    expect(other.body.code).toBe('NOT_FOUND_PAYMENT')
  })

  it('sends X-TossPayments-Trace-Id on every answer', async () => {
    const answer = await call(base, 'GET', '/v1/payments/nope')
    expect(answer.headers.get('x-tosspayments-trace-id')).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('payment window → confirm', () => {
  it('redirects to successUrl with paymentType, orderId, paymentKey and amount, keeping its own query', async () => {
    const opened = await openWindow(base, { successUrl: `${APP}/success?cart=7`, amount: 50000 })
    const page = await fetch(`${base}${opened.checkout}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('50,000원')
    const to = await submitWindow(base, opened.checkout, { action: 'pay', cardNumber: '4330123412341234' })
    expect(to.origin + to.pathname).toBe(`${APP}/success`)
    expect(to.searchParams.get('cart')).toBe('7')
    expect(to.searchParams.get('paymentType')).toBe('NORMAL')
    expect(to.searchParams.get('orderId')).toBe(opened.orderId)
    expect(to.searchParams.get('amount')).toBe('50000')
    expect(to.searchParams.get('paymentKey')).toMatch(/^tviva\d{14}[A-Z0-9]{5}$/)
  })

  it('shows READY while the window is open and IN_PROGRESS once authenticated', async () => {
    const opened = await openWindow(base)
    const ready = await call(base, 'GET', `/v1/payments/orders/${opened.orderId}`)
    expect(ready.status).toBe(200)
    expect(ready.body.status).toBe('READY')
    expect(ready.body.method).toBeNull()
    await submitWindow(base, opened.checkout, { action: 'pay' })
    const inProgress = await call(base, 'GET', `/v1/payments/orders/${opened.orderId}`)
    expect(inProgress.body.status).toBe('IN_PROGRESS')
  })

  it('confirms a card payment into a DONE Payment object', async () => {
    const auth = await authenticated(base, { amount: 15000 })
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(answer.status).toBe(200)
    const p = answer.body
    expect(p).toMatchObject({
      mId: 'tosspayments',
      version: '2022-11-16',
      paymentKey: auth.paymentKey,
      orderId: auth.orderId,
      orderName: '토스 티셔츠 외 2건',
      status: 'DONE',
      type: 'NORMAL',
      method: '카드',
      currency: 'KRW',
      country: 'KR',
      totalAmount: 15000,
      balanceAmount: 15000,
      suppliedAmount: 13636,
      vat: 1364,
      taxFreeAmount: 0,
      cancels: null,
      failure: null,
      secret: null,
      isPartialCancelable: true,
      card: { amount: 15000, number: '43301234****123*', issuerCode: '61', acquireStatus: 'READY' },
    })
    expect(p.approvedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/)
    expect(p.requestedAt).toMatch(/\+09:00$/)
    expect(p.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/)
  })

  it('accepts the amount as a numeric string, as Toss samples send it', async () => {
    const auth = await authenticated(base, { amount: 1000 })
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: { ...auth, amount: String(auth.amount) },
    })
    expect(answer.status).toBe(200)
    expect(answer.body.totalAmount).toBe(1000)
  })

  it('confirms through the legacy POST /v1/payments/{paymentKey}', async () => {
    const auth = await authenticated(base)
    const answer = await call(base, 'POST', `/v1/payments/${auth.paymentKey}`, {
      body: { orderId: auth.orderId, amount: auth.amount },
    })
    expect(answer.status).toBe(200)
    expect(answer.body.status).toBe('DONE')
  })

  it('refuses a confirm whose amount differs from the window (tampered successUrl)', async () => {
    const auth = await authenticated(base, { amount: 30000 })
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: { ...auth, amount: 100 } })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INVALID_REQUEST')
    const still = await call(base, 'GET', `/v1/payments/${auth.paymentKey}`)
    expect(still.body.status).toBe('IN_PROGRESS')
  })

  it('refuses a confirm whose orderId differs from the window', async () => {
    const auth = await authenticated(base)
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: { ...auth, orderId: orderId('other') },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INVALID_REQUEST')
  })

  it('refuses confirming twice with ALREADY_PROCESSED_PAYMENT', async () => {
    const auth = await authenticated(base)
    expect((await call(base, 'POST', '/v1/payments/confirm', { body: auth })).status).toBe(200)
    const again = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(again.status).toBe(400)
    expect(again.body).toEqual({ code: 'ALREADY_PROCESSED_PAYMENT', message: '이미 처리된 결제 입니다.' })
  })

  it('answers NOT_FOUND_PAYMENT_SESSION for an unknown paymentKey', async () => {
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: { paymentKey: 'tviva20240101000000ZZZZZ', orderId: orderId(), amount: 1000 },
    })
    expect(answer.status).toBe(404)
    expect(answer.body.code).toBe('NOT_FOUND_PAYMENT_SESSION')
  })

  it('answers UNAPPROVED_ORDER_ID when the customer has not finished the window', async () => {
    const opened = await openWindow(base)
    const ready = await call(base, 'GET', `/v1/payments/orders/${opened.orderId}`)
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: { paymentKey: ready.body.paymentKey, orderId: opened.orderId, amount: opened.amount },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('UNAPPROVED_ORDER_ID')
  })

  it('expires an authenticated payment not confirmed within 10 minutes', async () => {
    const auth = await authenticated(base)
    sims.core.clock.advance(10 * 60_000 + 1)
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(answer.status).toBe(404)
    expect(answer.body.code).toBe('NOT_FOUND_PAYMENT_SESSION')
    const payment = await call(base, 'GET', `/v1/payments/${auth.paymentKey}`)
    expect(payment.body.status).toBe('EXPIRED')
    expect(payment.body.failure).toEqual({
      code: 'EXPIRED_PAYMENT',
      message: '결제가 만료되었습니다. 다시 시도해주세요.',
    })
  })

  it('expires a window left open for 30 minutes', async () => {
    const opened = await openWindow(base)
    sims.core.clock.advance(30 * 60_000 + 1)
    const payment = await call(base, 'GET', `/v1/payments/orders/${opened.orderId}`)
    expect(payment.body.status).toBe('EXPIRED')
    const page = await fetch(`${base}${opened.checkout}`)
    expect(page.status).toBe(410)
  })

  it('refuses to reopen the window for an orderId already paid (DUPLICATED_ORDER_ID)', async () => {
    const payment = await confirmed(base)
    const query = new URLSearchParams({
      clientKey: CLIENT_KEY,
      method: 'CARD',
      amount: '1000',
      orderId: payment.orderId,
      orderName: 'again',
      successUrl: `${APP}/success`,
      failUrl: `${APP}/fail`,
    })
    const response = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('DUPLICATED_ORDER_ID')
  })

  it('confirms a widget payment only with the widget secret key', async () => {
    const auth = await authenticated(base, { clientKey: 'test_gck_vitestShop01' })
    const wrong = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(wrong.status).toBe(403)
    expect(wrong.body.code).toBe('FORBIDDEN_REQUEST')
    const right = await call(base, 'POST', '/v1/payments/confirm', {
      body: auth,
      key: 'test_gsk_vitestShop01',
    })
    expect(right.status).toBe(200)
  })

  it('pairs the public docs keys of Toss samples into one account', async () => {
    const auth = await authenticated(base, { clientKey: 'test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq' })
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: auth,
      headers: { Authorization: basic('test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R') },
    })
    expect(answer.status).toBe(200)
  })
})

describe('retrieve', () => {
  it('finds a payment by paymentKey and by orderId', async () => {
    const payment = await confirmed(base)
    const byKey = await call(base, 'GET', `/v1/payments/${payment.paymentKey}`)
    const byOrder = await call(base, 'GET', `/v1/payments/orders/${payment.orderId}`)
    expect(byKey.status).toBe(200)
    expect(byKey.body).toEqual(payment)
    expect(byOrder.body).toEqual(payment)
  })

  it('answers NOT_FOUND_PAYMENT for unknown ids', async () => {
    for (const path of ['/v1/payments/unknownKey123', '/v1/payments/orders/unknown-order-1']) {
      const answer = await call(base, 'GET', path)
      expect(answer.status, path).toBe(404)
      expect(answer.body).toEqual({ code: 'NOT_FOUND_PAYMENT', message: '존재하지 않는 결제 정보 입니다.' })
    }
  })
})
