import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { payOrder } from './checkout/driver.ts'
import { razorpay } from './index.ts'
import { razorpayClient } from './sdk.ts'

const keyId = 'rzp_test_BadInput000001'
const keySecret = 'bad_input_secret'
const auth = `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`
let sims: RunningProviders
let base: string

beforeAll(async () => {
  sims = await startProviders([razorpay])
  base = sims.url('razorpay')
})
afterAll(() => sims.close())

async function call(
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { authorization: auth, ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    if (typeof body !== 'string')
      (init.headers as Record<string, string>)['content-type'] = 'application/json'
  }
  const response = await fetch(`${base}${path}`, init)
  return {
    status: response.status,
    body: (await response.json()) as { error?: Record<string, unknown> } & Record<string, unknown>,
  }
}

const createOrder = (body: unknown) => call('POST', '/v1/orders', body as object)

async function stillServing() {
  const ok = await createOrder({ amount: 100, currency: 'INR' })
  expect(ok.status).toBe(200)
}

describe('bad input answered as Razorpay answers it', () => {
  it.each([
    ['negative', -500, 'The amount must be at least INR 1.00'],
    ['below the minimum', 99, 'The amount must be at least INR 1.00'],
    ['float', 500.5, 'The amount must be an integer.'],
    ['numeric text with decimals', '500.50', 'The amount must be an integer.'],
    ['overflow beyond a safe integer', 1e20, 'The amount must be an integer.'],
    ['above the account maximum', 50_000_001, 'Amount exceeds maximum amount allowed.'],
    ['not a number', 'abc', 'The amount must be an integer.'],
    ['missing', undefined, 'The amount field is required.'],
  ])('order amount %s → 400 with field amount', async (_name, amount, description) => {
    const { status, body } = await createOrder({ amount, currency: 'INR' })
    expect(status).toBe(400)
    expect(body.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description,
      field: 'amount',
      reason: 'input_validation_failed',
      metadata: {},
    })
    await stillServing()
  })

  it('other order parameters', async () => {
    expect((await createOrder({ amount: 100 })).body.error).toMatchObject({
      description: 'The currency field is required.',
      field: 'currency',
    })
    expect((await createOrder({ amount: 100, currency: 'XYZ' })).body.error).toMatchObject({
      description: 'Currency is not supported',
    })
    expect(
      (await createOrder({ amount: 100, currency: 'INR', receipt: 'r'.repeat(41) })).body.error,
    ).toMatchObject({
      description: 'The receipt may not be greater than 40 characters.',
      field: 'receipt',
    })
    expect((await createOrder({ amount: 100, currency: 'INR', colour: 'red' })).body.error).toMatchObject({
      description: 'colour is/are not required and should not be sent',
      field: 'colour',
      reason: 'extra_field_sent',
    })
    expect((await createOrder({ amount: 100, currency: 'INR', notes: 'x' })).body.error).toMatchObject({
      description: 'Notes should be provided as a dictionary',
    })
    const tooMany = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']))
    expect((await createOrder({ amount: 100, currency: 'INR', notes: tooMany })).body.error).toMatchObject({
      description: 'Number of fields in notes should be less than or equal to 15',
    })
  })

  it('malformed bodies: broken JSON, a JSON array, an unsupported content type', async () => {
    const broken = await call('POST', '/v1/orders', '{"amount": 100,', { 'content-type': 'application/json' })
    expect(broken.status).toBe(400)
    expect(broken.body.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'The request body could not be parsed.',
    })
    const array = await call('POST', '/v1/orders', [1, 2] as never)
    expect(array.status).toBe(400)
    expect(array.body.error?.code).toBe('BAD_REQUEST_ERROR')
    const xml = await call('POST', '/v1/orders', '<order/>', { 'content-type': 'application/xml' })
    expect(xml.status).toBe(400)
    await stillServing()
  })

  it('accepts form-encoded bodies with bracket notes, as razorpay-node < 2.9.2 sends them', async () => {
    const form = await call('POST', '/v1/orders', 'amount=2500&currency=INR&notes[plan]=gold', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(form.status).toBe(200)
    expect(form.body).toMatchObject({ amount: 2500, notes: { plan: 'gold' } })
  })

  it('unknown ids, ids of another entity, unknown routes and methods', async () => {
    const notFound = { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist' }
    expect(await call('GET', '/v1/orders/order_Nope0000000000')).toMatchObject({
      status: 400,
      body: { error: notFound },
    })
    expect(await call('GET', '/v1/payments/pay_Nope0000000000')).toMatchObject({
      status: 400,
      body: { error: notFound },
    })
    expect(await call('GET', '/v1/refunds/rfnd_Nope000000000')).toMatchObject({
      status: 400,
      body: { error: notFound },
    })
    expect((await call('GET', '/v1/payments/order_Nope0000000000')).body.error).toMatchObject({
      description: 'order_Nope0000000000 is not a valid id',
    })
    expect(await call('GET', '/v1/widgets')).toMatchObject({
      status: 400,
      body: { error: { description: 'The requested URL was not found on the server.' } },
    })
    expect((await call('DELETE', '/v1/orders')).status).toBe(400)
    expect((await call('GET', '/v1/orders?count=1000')).body.error).toMatchObject({
      description: 'The count may not be greater than 100.',
      field: 'count',
    })
    await stillServing()
  })

  it('capture and refund amounts', async () => {
    const order = await createOrder({ amount: 5000, currency: 'INR', payment: { capture: 'manual' } })
    const paid = await payOrder(base, order.body.id as string, { method: 'upi', vpa: 'success@razorpay' })
    if (!paid.ok) throw new Error('payment failed')
    const id = paid.response.razorpay_payment_id
    expect((await call('POST', `/v1/payments/${id}/capture`, { amount: 50.5 })).body.error).toMatchObject({
      description: 'The amount must be an integer.',
    })
    expect((await call('POST', `/v1/payments/${id}/capture`, {})).body.error).toMatchObject({
      description: 'The amount field is required.',
    })
    expect(
      (await call('POST', `/v1/payments/${id}/capture`, { amount: 5000, currency: 'USD' })).body.error,
    ).toMatchObject({
      description: 'Capture request currency must be same as payment currency',
    })
    expect((await call('POST', `/v1/payments/${id}/capture`, { amount: 5000, currency: 'INR' })).status).toBe(
      200,
    )
    expect((await call('POST', `/v1/payments/${id}/refund`, { amount: -1 })).body.error).toMatchObject({
      description: 'The amount must be at least INR 1.00.',
    })
    expect((await call('POST', `/v1/payments/${id}/refund`, { speed: 'warp' })).body.error).toMatchObject({
      description: 'The selected speed is invalid.',
    })
  })
})

describe('authentication', () => {
  it('missing header, wrong scheme case, and a malformed key are 401', async () => {
    const none = await fetch(`${base}/v1/orders`)
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: 'Please provide your api key for authentication purposes.',
        source: 'NA',
        step: 'NA',
        reason: 'NA',
        metadata: {},
      },
    })
    const lower = await call('GET', '/v1/orders', undefined, {
      authorization: auth.replace('Basic', 'basic'),
    })
    expect(lower).toMatchObject({ status: 401, body: { error: { description: 'Authentication failed' } } })
    const noColon = await call('GET', '/v1/orders', undefined, {
      authorization: `Basic ${Buffer.from(keyId).toString('base64')}`,
    })
    expect(noColon.status).toBe(401)
  })

  it('key ids are separate worlds: another key cannot see this key’s orders', async () => {
    const mine = await createOrder({ amount: 700, currency: 'INR' })
    const other = razorpayClient(base, { key_id: 'rzp_test_SomeoneElse0001', key_secret: 'x' })
    await expect(other.orders.fetch(mine.body.id as string)).rejects.toMatchObject({ statusCode: 400 })
  })
})

describe('refund idempotency (X-Refund-Idempotency)', () => {
  it('same key and body replays the refund; another body is refused; a short key is refused', async () => {
    const order = await createOrder({ amount: 9000, currency: 'INR' })
    const paid = await payOrder(base, order.body.id as string, { method: 'upi', vpa: 'success@razorpay' })
    if (!paid.ok) throw new Error('payment failed')
    const path = `/v1/payments/${paid.response.razorpay_payment_id}/refund`
    const key = { 'x-refund-idempotency': 'refund-key-000001' }
    const first = await call('POST', path, { amount: 1000 }, key)
    const replay = await call('POST', path, { amount: 1000 }, key)
    expect(first.status).toBe(200)
    expect(replay.body.id).toBe(first.body.id)
    const conflict = await call('POST', path, { amount: 2000 }, key)
    expect(conflict.body.error).toMatchObject({
      description: 'Different request with the same idempotency key has already been processed.',
    })
    expect((await call('POST', path, { amount: 1000 }, { 'x-refund-idempotency': 'short' })).status).toBe(400)
    const payment = await call('GET', `/v1/payments/${paid.response.razorpay_payment_id}`)
    expect(payment.body.amount_refunded).toBe(1000)
  })
})

describe('named errors for fault rules', () => {
  const rzp = () => razorpayClient(base, { key_id: keyId, key_secret: keySecret })

  it.each([
    ['bad_request', 400, 'BAD_REQUEST_ERROR', 'input_validation_failed'],
    ['gateway_error', 502, 'GATEWAY_ERROR', 'gateway_technical_error'],
    ['server_error', 500, 'SERVER_ERROR', 'NA'],
    ['insufficient_funds', 400, 'BAD_REQUEST_ERROR', 'insufficient_funds'],
    ['payment_cancelled', 400, 'BAD_REQUEST_ERROR', 'payment_cancelled'],
    ['unauthorized', 401, 'BAD_REQUEST_ERROR', 'NA'],
    ['authentication_failed', 502, 'GATEWAY_ERROR', 'authentication_failed'],
    ['rate_limited', 429, 'BAD_REQUEST_ERROR', 'NA'],
  ])('%s answers %i %s (reason %s), once', async (name, statusCode, code, reason) => {
    sims.core.faults.add({
      match: { provider: 'razorpay', operation: 'orders.create' },
      effect: { type: 'provider-error', error: name },
      times: 1,
    })
    await expect(rzp().orders.create({ amount: 100, currency: 'INR' })).rejects.toMatchObject({
      statusCode,
      error: { code, reason },
    })
    await expect(rzp().orders.create({ amount: 100, currency: 'INR' })).resolves.toMatchObject({
      entity: 'order',
    })
  })
})
