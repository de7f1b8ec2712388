import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { payOrder } from './checkout/driver.ts'
import { razorpay } from './index.ts'
import { startReceiver } from './receiver.ts'
import { razorpayClient } from './sdk.ts'

const keys = { key_id: 'rzp_test_HostedPage00001', key_secret: 'hosted_secret' }
let sims: RunningProviders
let base: string
let rzp: ReturnType<typeof razorpayClient>

beforeAll(async () => {
  sims = await startProviders([razorpay])
  base = sims.url('razorpay')
  rzp = razorpayClient(base, keys)
})
afterAll(() => sims.close())

const newOrder = (amount = 10000, capture: 'automatic' | 'manual' = 'automatic') =>
  rzp.orders.create({ amount, currency: 'INR', payment: { capture } } as never)

async function get(path: string) {
  const response = await fetch(`${base}${path}`, { redirect: 'manual' })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
    location: response.headers.get('location'),
  }
}

async function postForm(path: string, fields: Record<string, string>) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  })
  return { status: response.status, text: await response.text(), location: response.headers.get('location') }
}

describe('hosted checkout page', () => {
  it('serves checkout.js defining window.Razorpay', async () => {
    const script = await get('/v1/checkout.js')
    expect(script.status).toBe(200)
    expect(script.type).toContain('javascript')
    expect(script.text).toContain('window.Razorpay = Razorpay')
    expect(script.text).toContain(JSON.stringify(base))
  })

  it('opens for an order with its amount; unknown orders, another key and bad callback URLs are refused', async () => {
    const order = await newOrder(123456)
    const page = await get(`/checkout/${order.id}?key_id=${keys.key_id}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('₹1,234.56')
    expect((await get('/checkout/order_Missing0000000')).status).toBe(400)
    expect((await get(`/checkout/${order.id}?key_id=rzp_test_OtherMerchant1`)).status).toBe(400)
    expect((await get(`/checkout/${order.id}?callback_url=javascript:alert(1)`)).status).toBe(400)
  })

  it('escapes what the merchant passes (name) into the page', async () => {
    const order = await newOrder()
    const page = await get(`/checkout/${order.id}?name=${encodeURIComponent('<script>x()</script>')}`)
    expect(page.text).not.toContain('<script>x()</script>')
    expect(page.text).toContain('&#60;script&#62;')
  })

  it('Hosted Checkout form POST to /v1/checkout/embedded opens the same page; cancel_url gets the Close button', async () => {
    const order = await newOrder()
    const page = await postForm('/v1/checkout/embedded', {
      key_id: keys.key_id,
      order_id: order.id,
      cancel_url: 'https://shop.test/cancelled',
    })
    expect(page.status).toBe(200)
    expect(page.text).toContain(order.id)
    expect((await postForm('/v1/checkout/embedded', { order_id: order.id })).status).toBe(400)
    const closed = await postForm(`/checkout/${order.id}/cancel`, {
      cancel_url: 'https://shop.test/cancelled',
    })
    expect(closed).toMatchObject({ status: 303, location: 'https://shop.test/cancelled' })
  })

  it('a paid order takes no second payment; a failed attempt can be retried on the same order', async () => {
    const order = await newOrder()
    const failed = await payOrder(base, order.id, { method: 'upi', vpa: 'failure@razorpay' })
    expect(failed).toMatchObject({ ok: false, reason: 'payment_failed' })
    const paid = await payOrder(base, order.id, { method: 'netbanking', bank: 'HDFC' })
    expect(paid.ok).toBe(true)
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'paid', attempts: 2 })
    const again = await payOrder(base, order.id, { method: 'upi', vpa: 'success@razorpay' })
    expect(again).toMatchObject({ ok: false, status: 400 })
    expect(await get(`/checkout/${order.id}`)).toMatchObject({ status: 400 })
  })

  it('an order with an authorized payment refuses another attempt', async () => {
    const order = await newOrder(10000, 'manual')
    expect((await payOrder(base, order.id, { method: 'upi', vpa: 'success@razorpay' })).ok).toBe(true)
    expect(await payOrder(base, order.id, { method: 'upi', vpa: 'success@razorpay' })).toMatchObject({
      ok: false,
      status: 400,
    })
  })

  it.each([
    ['4100280000020007', 'gateway_technical_error', 'GATEWAY_ERROR'],
    ['5305620000070009', 'authentication_failed', 'GATEWAY_ERROR'],
    ['4100280000060003', 'card_declined', 'BAD_REQUEST_ERROR'],
    ['5305620000060000', 'payment_timed_out', 'BAD_REQUEST_ERROR'],
  ])(
    'error card %s fails with %s (%s) even when the bank page says Success',
    async (number, reason, code) => {
      const order = await newOrder()
      const result = await payOrder(base, order.id, { method: 'card', number, outcome: 'success' })
      expect(result).toMatchObject({ ok: false, reason })
      if (result.ok) return
      expect(await rzp.payments.fetch(result.paymentId!)).toMatchObject({
        status: 'failed',
        error_code: code,
        error_reason: reason,
        method: 'card',
      })
    },
  )

  it('card payments expose the card: expand[]=card and /payments/:id/card', async () => {
    const order = await newOrder()
    const paid = await payOrder(base, order.id, { method: 'card', number: '5500670000001002' })
    if (!paid.ok) throw new Error('payment failed')
    const id = paid.response.razorpay_payment_id
    const payment = await rzp.payments.fetch(id, { 'expand[]': 'card' })
    expect(payment.card).toMatchObject({ entity: 'card', last4: '1002', network: 'MasterCard' })
    expect(payment.card_id).toMatch(/^card_/)
    expect(await rzp.payments.fetchCardDetails(id)).toMatchObject({ last4: '1002' })
    expect((await rzp.payments.fetch(id)).card).toBeUndefined()
  })
})

describe('triggers', () => {
  it('payment.late_authorized turns a failed payment authorized and sends payment.authorized after payment.failed', async () => {
    const rx = await startReceiver()
    try {
      sims.core.webhooks.addEndpoint({
        provider: 'razorpay',
        account: keys.key_id,
        url: `${rx.url}/late`,
        secret: 's',
        source: 'config',
      })
      const runtime = sims.runtime('razorpay')
      const { payment } = (await runtime.trigger('payment.failed', keys.key_id, { amount: 7000 })) as {
        payment: { id: string }
      }
      await runtime.trigger('payment.late_authorized', keys.key_id, { payment_id: payment.id })
      const got = await rx.until((r) => r.filter((x) => x.body.includes(payment.id)).length >= 4)
      const events = got.filter((x) => x.body.includes(payment.id)).map((x) => JSON.parse(x.body).event)
      expect(events).toContain('payment.failed')
      expect(events).toContain('payment.authorized')
      expect(await rzp.payments.fetch(payment.id)).toMatchObject({ status: 'captured', error_code: null })
    } finally {
      await rx.close()
    }
  })
})

describe('refund that fails', () => {
  it('refund.failed trigger: pending, then failed after an hour of virtual time; the payment gets its amount back', async () => {
    const runtime = sims.runtime('razorpay')
    const { payment, refund } = (await runtime.trigger('refund.failed', keys.key_id, {
      amount: 8000,
      refund_amount: 3000,
    })) as {
      payment: { id: string }
      refund: { id: string }
    }
    expect(await rzp.refunds.fetch(refund.id)).toMatchObject({ status: 'pending', amount: 3000 })
    expect(await rzp.payments.fetch(payment.id)).toMatchObject({
      amount_refunded: 3000,
      refund_status: 'partial',
    })
    sims.core.clock.advance(60 * 60_000)
    expect(await rzp.refunds.fetch(refund.id)).toMatchObject({ status: 'failed' })
    expect(await rzp.payments.fetch(payment.id)).toMatchObject({
      status: 'captured',
      amount_refunded: 0,
      refund_status: null,
    })
  })
})

describe('abandoned payments', () => {
  it('a payment left on the bank page fails with payment_timed_out after 15 minutes (virtual)', async () => {
    const order = await newOrder(6100)
    const page = await postForm(`/checkout/${order.id}/pay`, { method: 'netbanking', bank: 'SBIN' })
    const paymentId = /data-testid="payment-id">([^<]+)</.exec(page.text)?.[1]
    expect(paymentId).toMatch(/^pay_/)
    expect(await rzp.payments.fetch(paymentId!)).toMatchObject({ status: 'created' })
    sims.core.clock.advance(15 * 60_000)
    expect(await rzp.payments.fetch(paymentId!)).toMatchObject({
      status: 'failed',
      error_reason: 'payment_timed_out',
    })
    const late = await postForm(`/checkout/payments/${paymentId}/complete`, { outcome: 'success' })
    expect(late.status).toBe(400)
  })
})
