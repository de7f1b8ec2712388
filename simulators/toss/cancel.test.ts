import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { authenticated, call, confirmed, openWindow, start } from './test-helpers.ts'

let sims: RunningProviders
let base: string
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterAll(() => sims.close())

const cancel = (paymentKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(base, 'POST', `/v1/payments/${paymentKey}/cancel`, { body, headers })

describe('cancel', () => {
  it('cancels in full without cancelAmount', async () => {
    const payment = await confirmed(base, { amount: 15000 })
    const answer = await cancel(payment.paymentKey, { cancelReason: '고객 변심' })
    expect(answer.status).toBe(200)
    expect(answer.body.status).toBe('CANCELED')
    expect(answer.body.balanceAmount).toBe(0)
    expect(answer.body.vat).toBe(0)
    expect(answer.body.suppliedAmount).toBe(0)
    expect(answer.body.cancels).toHaveLength(1)
    expect(answer.body.cancels[0]).toMatchObject({
      cancelAmount: 15000,
      cancelReason: '고객 변심',
      refundableAmount: 0,
      cancelStatus: 'DONE',
    })
    expect(answer.body.lastTransactionKey).toBe(answer.body.cancels[0].transactionKey)
    expect(answer.body.card.acquireStatus).toBe('CANCELED')
  })

  it('keeps cancelAmount bookkeeping across partial cancels and refuses an over-cancel', async () => {
    const payment = await confirmed(base, { amount: 10000 })
    const first = await cancel(payment.paymentKey, { cancelReason: '부분 취소', cancelAmount: 3000 })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      status: 'PARTIAL_CANCELED',
      balanceAmount: 7000,
      vat: 636,
      suppliedAmount: 6364,
    })
    const second = await cancel(payment.paymentKey, { cancelReason: '부분 취소', cancelAmount: 2000 })
    expect(second.body).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 5000 })
    expect(second.body.cancels.map((c: { cancelAmount: number }) => c.cancelAmount)).toEqual([3000, 2000])
    expect(second.body.cancels[1].refundableAmount).toBe(5000)

    const over = await cancel(payment.paymentKey, { cancelReason: '너무 많이', cancelAmount: 5001 })
    expect(over.status).toBe(403)
    expect(over.body).toEqual({ code: 'NOT_CANCELABLE_AMOUNT', message: '취소 할 수 없는 금액 입니다.' })

    const rest = await cancel(payment.paymentKey, { cancelReason: '나머지', cancelAmount: 5000 })
    expect(rest.body).toMatchObject({ status: 'CANCELED', balanceAmount: 0 })
    const again = await cancel(payment.paymentKey, { cancelReason: '또' })
    expect(again.status).toBe(400)
    expect(again.body.code).toBe('ALREADY_CANCELED_PAYMENT')
  })

  it('refuses a refundableAmount that is not the balance (NOT_MATCHES_REFUNDABLE_AMOUNT)', async () => {
    const payment = await confirmed(base, { amount: 10000 })
    const answer = await cancel(payment.paymentKey, {
      cancelReason: 'x',
      cancelAmount: 1000,
      refundableAmount: 9000,
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('NOT_MATCHES_REFUNDABLE_AMOUNT')
  })

  it('refuses to cancel a payment never approved (NOT_CANCELABLE_PAYMENT)', async () => {
    const auth = await authenticated(base)
    const answer = await cancel(auth.paymentKey, { cancelReason: 'x' })
    expect(answer.status).toBe(403)
    expect(answer.body.code).toBe('NOT_CANCELABLE_PAYMENT')
  })

  it('answers NOT_FOUND_PAYMENT for an unknown paymentKey', async () => {
    const answer = await cancel('tviva20990101000000NOPE1', { cancelReason: 'x' })
    expect(answer.status).toBe(404)
    expect(answer.body.code).toBe('NOT_FOUND_PAYMENT')
  })

  it('requires cancelReason and a positive integer cancelAmount', async () => {
    const payment = await confirmed(base)
    for (const body of [
      {},
      { cancelReason: '' },
      { cancelReason: 'x', cancelAmount: -1 },
      { cancelReason: 'x', cancelAmount: 10.5 },
    ]) {
      const answer = await cancel(payment.paymentKey, body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.code).toBe('INVALID_REQUEST')
    }
    const untouched = await call(base, 'GET', `/v1/payments/${payment.paymentKey}`)
    expect(untouched.body.status).toBe('DONE')
  })

  it('settles an overseas easy-pay cancel asynchronously (cancelStatus IN_PROGRESS → DONE)', async () => {
    const payment = await confirmed(base, { method: 'FOREIGN_EASY_PAY', amount: 10.5, currency: 'USD' })
    expect(payment).toMatchObject({ method: '해외간편결제', currency: 'USD', totalAmount: 10.5, vat: 0 })
    const answer = await cancel(payment.paymentKey, {
      cancelReason: 'refund',
      cancelAmount: 5.25,
      currency: 'USD',
    })
    expect(answer.body).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 5.25 })
    expect(answer.body.cancels[0].cancelStatus).toBe('IN_PROGRESS')
    sims.core.clock.advance(60_000)
    const later = await call(base, 'GET', `/v1/payments/${payment.paymentKey}`)
    expect(later.body.cancels[0].cancelStatus).toBe('DONE')
  })
})

it('refuses USD for anything but PayPal, and PayPal in won', async () => {
  const cases: Record<string, string>[] = [
    { method: 'CARD', 'amount[value]': '10', 'amount[currency]': 'USD' },
    { method: 'FOREIGN_EASY_PAY', amount: '10000' },
    { method: 'CARD', 'amount[value]': '10.5', 'amount[currency]': 'KRW' },
  ]
  for (const params of cases) {
    const query = new URLSearchParams({
      clientKey: 'test_ck_vitestShop01',
      orderId: `cur-${Date.now()}`,
      orderName: 'x',
      successUrl: 'http://127.0.0.1:9/s',
      failUrl: 'http://127.0.0.1:9/f',
      ...params,
    })
    const response = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
    expect(response.status, JSON.stringify(params)).toBe(400)
  }
})

describe('card failures at confirm (test cards)', () => {
  it('REJECT_CARD_PAYMENT (403) aborts the payment with its failure', async () => {
    const auth = await authenticated(base, {}, { cardNumber: '4000000000009995' })
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(answer.status).toBe(403)
    expect(answer.body).toEqual({
      code: 'REJECT_CARD_PAYMENT',
      message: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.',
    })
    const payment = await call(base, 'GET', `/v1/payments/${auth.paymentKey}`)
    expect(payment.body.status).toBe('ABORTED')
    expect(payment.body.failure.code).toBe('REJECT_CARD_PAYMENT')
  })

  it('EXCEED_MAX_DAILY_PAYMENT_COUNT (400) aborts', async () => {
    const auth = await authenticated(base, {}, { cardNumber: '4000000000000127' })
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('EXCEED_MAX_DAILY_PAYMENT_COUNT')
  })

  it('PROVIDER_ERROR (400) is temporary: the retry is approved', async () => {
    const auth = await authenticated(base, {}, { cardNumber: '4000000000000119' })
    const first = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(first.status).toBe(400)
    expect(first.body.code).toBe('PROVIDER_ERROR')
    const retry = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(retry.status).toBe(200)
    expect(retry.body.status).toBe('DONE')
  })

  it('FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING (500) charges nothing and the retry is approved', async () => {
    const auth = await authenticated(base, {}, { cardNumber: '4000000000000259' })
    const first = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(first.status).toBe(500)
    expect(first.body).toEqual({
      code: 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING',
      message: '결제가 완료되지 않았어요. 다시 시도해주세요.',
    })
    expect((await call(base, 'GET', `/v1/payments/${auth.paymentKey}`)).body.status).toBe('IN_PROGRESS')
    expect((await call(base, 'POST', '/v1/payments/confirm', { body: auth })).status).toBe(200)
  })

  it('BELOW_MINIMUM_AMOUNT under 100 won by card', async () => {
    const auth = await authenticated(base, { amount: 50 })
    const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('BELOW_MINIMUM_AMOUNT')
  })

  it('TossPayments-Test-Code returns the named error with a test key', async () => {
    const auth = await authenticated(base)
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: auth,
      headers: { 'TossPayments-Test-Code': 'INVALID_CARD_EXPIRATION' },
    })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({
      code: 'INVALID_CARD_EXPIRATION',
      message: '카드 정보를 다시 확인해주세요. (유효기간)',
    })
    // The header injected the error; the payment itself is untouched and still confirmable.
    expect((await call(base, 'POST', '/v1/payments/confirm', { body: auth })).status).toBe(200)
  })

  it('a provider-error fault rule answers with the catalogue body', async () => {
    const opened = await openWindow(base)
    sims.core.faults.add({
      match: { provider: 'toss', operation: 'payments.confirm', body: { orderId: opened.orderId } },
      effect: { type: 'provider-error', error: 'REJECT_CARD_COMPANY' },
      times: 1,
    })
    const ready = await call(base, 'GET', `/v1/payments/orders/${opened.orderId}`)
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      body: { paymentKey: ready.body.paymentKey, orderId: opened.orderId, amount: opened.amount },
    })
    expect(answer.status).toBe(403)
    expect(answer.body.code).toBe('REJECT_CARD_COMPANY')
  })
})
