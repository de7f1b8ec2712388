import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { APP, authenticated, CLIENT_KEY, call, confirmed, orderId, start } from './test-helpers.ts'

let sims: RunningProviders
let base: string
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterAll(async () => {
  // Whatever came before, the simulator still serves a whole payment.
  await confirmed(base)
  await sims.close()
})

describe('malformed bodies', () => {
  it('answers 400 INVALID_REQUEST to broken JSON, arrays, empty and foreign bodies', async () => {
    const cases: { raw: string; type?: string }[] = [
      { raw: '{"paymentKey": "x", ' },
      { raw: '[1,2,3]' },
      { raw: '' },
      { raw: 'null' },
      { raw: '"just a string"' },
      { raw: '<xml/>', type: 'application/xml' },
      { raw: 'paymentKey=x&orderId=y&amount=1', type: 'text/plain' },
      { raw: '\u0000\u0001\u0002', type: 'application/octet-stream' },
    ]
    for (const c of cases) {
      const answer = await call(base, 'POST', '/v1/payments/confirm', {
        raw: c.raw,
        headers: c.type ? { 'Content-Type': c.type } : {},
      })
      expect(answer.status, JSON.stringify(c)).toBe(400)
      expect(answer.body.code, JSON.stringify(c)).toBe('INVALID_REQUEST')
      expect(typeof answer.body.message).toBe('string')
    }
  })

  it('answers 400 INVALID_REQUEST to a body over the size limit', async () => {
    const answer = await call(base, 'POST', '/v1/payments/confirm', {
      raw: JSON.stringify({ paymentKey: 'x'.repeat(300_000), orderId: 'order-1', amount: 1 }),
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INVALID_REQUEST')
  })

  it('answers INVALID_REQUEST for missing or mistyped fields', async () => {
    for (const body of [
      {},
      { paymentKey: 'x', orderId: 'order-1' },
      { paymentKey: 123, orderId: 'order-1', amount: 1000 },
      { paymentKey: 'x', orderId: { $ne: 1 }, amount: 1000 },
      { paymentKey: 'x'.repeat(201), orderId: 'order-1', amount: 1000 },
    ]) {
      const answer = await call(base, 'POST', '/v1/payments/confirm', { body })
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.code).toBe('INVALID_REQUEST')
    }
  })
})

describe('wrong amounts', () => {
  it('refuses negative, zero, fractional, overflowing and non-numeric amounts at confirm', async () => {
    const auth = await authenticated(base, { amount: 15000 })
    for (const amount of [
      -15000,
      0,
      15000.5,
      1e20,
      Number.MAX_SAFE_INTEGER + 2,
      '15000abc',
      'NaN',
      null,
      true,
      '1e3',
    ]) {
      const answer = await call(base, 'POST', '/v1/payments/confirm', { body: { ...auth, amount } })
      expect(answer.status, String(amount)).toBe(400)
      expect(answer.body.code, String(amount)).toBe('INVALID_REQUEST')
    }
    // A literal that overflows a double is still a number to JSON: refused, not crashed.
    const raw = `{"paymentKey":"${auth.paymentKey}","orderId":"${auth.orderId}","amount":99999999999999999999999}`
    expect((await call(base, 'POST', '/v1/payments/confirm', { raw })).body.code).toBe('INVALID_REQUEST')
    const ok = await call(base, 'POST', '/v1/payments/confirm', { body: auth })
    expect(ok.status).toBe(200)
  })

  it('refuses wrong cancel amounts and leaves the balance alone', async () => {
    const payment = await confirmed(base, { amount: 8000 })
    for (const cancelAmount of [-1, 0, 0.5, 1e30, 'abc']) {
      const answer = await call(base, 'POST', `/v1/payments/${payment.paymentKey}/cancel`, {
        body: { cancelReason: 'x', cancelAmount },
      })
      expect(answer.status, String(cancelAmount)).toBe(400)
      expect(answer.body.code).toBe('INVALID_REQUEST')
    }
    expect((await call(base, 'GET', `/v1/payments/${payment.paymentKey}`)).body.balanceAmount).toBe(8000)
  })

  it('refuses wrong amounts in the payment window with an error page', async () => {
    for (const amount of ['-100', '0', '10.5', '1e400', 'abc', '99999999999999999999']) {
      const query = new URLSearchParams({
        clientKey: CLIENT_KEY,
        method: 'CARD',
        amount,
        orderId: orderId(),
        orderName: 'x',
        successUrl: `${APP}/s`,
        failUrl: `${APP}/f`,
      })
      const response = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
      expect(response.status, amount).toBe(400)
      expect(await response.text()).toContain('INVALID_PARAMETERS')
    }
  })
})

describe('bad window parameters', () => {
  const open = (params: Record<string, string>) => {
    const query = new URLSearchParams({
      clientKey: CLIENT_KEY,
      method: 'CARD',
      amount: '1000',
      orderId: orderId(),
      orderName: 'x',
      successUrl: `${APP}/s`,
      failUrl: `${APP}/f`,
      ...params,
    })
    return fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
  }

  it('refuses a secret key or an unknown key as clientKey', async () => {
    for (const clientKey of ['test_sk_vitestShop01', 'ck_nope', '']) {
      const response = await open({ clientKey })
      expect(response.status).toBe(401)
      expect(await response.text()).toContain('UNAUTHORIZED_KEY')
    }
  })

  it('refuses an orderId outside 6–64 of A–Z a–z 0–9 - _', async () => {
    for (const id of ['abc', 'x'.repeat(65), 'order id!', '주문번호123456']) {
      const response = await open({ orderId: id })
      expect(response.status, id).toBe(400)
      expect(await response.text()).toContain('INVALID_ORDER_ID')
    }
  })

  it('refuses missing or non-http redirect URLs and unknown methods', async () => {
    const cases: Record<string, string>[] = [
      { successUrl: 'javascript:alert(1)' },
      { failUrl: 'not a url' },
      { method: 'BITCOIN' },
      { method: 'constructor' },
      { method: '__proto__' },
    ]
    for (const params of cases) {
      const response = await open(params)
      expect(response.status, JSON.stringify(params)).toBe(400)
    }
  })

  it('escapes what it echoes', async () => {
    const response = await open({ orderName: '<script>alert(1)</script>' })
    const page = await fetch(`${base}${response.headers.get('location')}`)
    const html = await page.text()
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&#60;script&#62;')
  })

  it('answers an unknown checkout with a 404 page, and a malformed form with a 400 page', async () => {
    expect((await fetch(`${base}/v1/payments/nope/checkout`)).status).toBe(404)
    const posted = await fetch(`${base}/v1/payments/nope/checkout`, { method: 'POST', body: 'action=pay' })
    expect(posted.status).toBe(404)
    const opened = await open({})
    const bad = await fetch(`${base}${opened.headers.get('location')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=steal',
      redirect: 'manual',
    })
    expect(bad.status).toBe(400)
  })
})

describe('unknown ids and routes', () => {
  it('answers NOT_FOUND_PAYMENT for odd and huge ids without failing', async () => {
    for (const id of ['%00', encodeURIComponent('키'), 'a'.repeat(1500), '..%2F..%2Fetc', 'null']) {
      const answer = await call(base, 'GET', `/v1/payments/${id}`)
      expect(answer.status, id).toBe(404)
      expect(answer.body.code).toBe('NOT_FOUND_PAYMENT')
    }
  })

  it('answers 404 for an unknown URL and 405 for a known one with another method', async () => {
    const unknown = await call(base, 'GET', '/v2/nothing-here')
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('NOT_FOUND')
    const method = await call(base, 'DELETE', '/v1/payments/confirm')
    expect(method.status).toBe(405)
  })

  it('answers INVALID_REQUEST for an unknown TossPayments-Test-Code', async () => {
    const answer = await call(base, 'GET', '/v1/payments/x', {
      headers: { 'TossPayments-Test-Code': 'NO_SUCH_CODE' },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('INVALID_REQUEST')
  })
})
