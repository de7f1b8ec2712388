import { createRequire } from 'node:module'
import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { payOrder } from './checkout/driver.ts'
import { type Receiver, rejection, startRazorpayWithWebhooks } from './test-support.ts'

// The SDK's own helpers, from the module path the issue names.
const { validatePaymentVerification, validateWebhookSignature } = createRequire(import.meta.url)(
  'razorpay/dist/utils/razorpay-utils',
) as {
  validatePaymentVerification(
    params: { order_id: string; payment_id: string },
    signature: string,
    secret: string,
  ): boolean
  validateWebhookSignature(body: string, signature: string, secret: string): boolean
}

const keys = { key_id: 'rzp_test_SdkPayments001', key_secret: 'pay_secret_9f2c' }
const webhookSecret = 'whsec_dashboard_chosen'
let sims: RunningProviders
let rzp: Razorpay
let rx: Receiver
let close: () => Promise<void>

beforeAll(async () => {
  ;({ sims, rzp, rx, close } = await startRazorpayWithWebhooks(keys, webhookSecret))
})
afterAll(() => close())

async function paidOrder(amount = 50000, capture: 'automatic' | 'manual' = 'automatic') {
  const order = await rzp.orders.create({
    amount,
    currency: 'INR',
    receipt: `r-${amount}-${capture}`,
    payment: { capture },
  } as never)
  const result = await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa: 'success@razorpay' })
  if (!result.ok) throw new Error(`payment failed: ${result.description}`)
  return { order, response: result.response }
}

describe('checkout result verified with razorpay-node', () => {
  it('signs order_id|payment_id with the key secret: validatePaymentVerification accepts it', async () => {
    const { order, response } = await paidOrder()
    expect(response.razorpay_order_id).toBe(order.id)
    expect(
      validatePaymentVerification(
        { order_id: order.id, payment_id: response.razorpay_payment_id },
        response.razorpay_signature,
        keys.key_secret,
      ),
    ).toBe(true)
  })

  it('a forged signature, or the right one over another order, is rejected by the same helper', async () => {
    const { order, response } = await paidOrder(12300)
    const other = await rzp.orders.create({ amount: 12300, currency: 'INR' })
    const verify = (orderId: string, signature: string) =>
      validatePaymentVerification(
        { order_id: orderId, payment_id: response.razorpay_payment_id },
        signature,
        keys.key_secret,
      )
    expect(verify(order.id, 'f'.repeat(64))).toBe(false)
    expect(verify(other.id, response.razorpay_signature)).toBe(false)
    expect(
      validatePaymentVerification(
        { order_id: order.id, payment_id: response.razorpay_payment_id },
        response.razorpay_signature,
        'wrong_secret',
      ),
    ).toBe(false)
  })
})

describe('payments through razorpay-node', () => {
  it('auto-capture: the payment is captured and the order paid', async () => {
    const { order, response } = await paidOrder(25000)
    const payment = await rzp.payments.fetch(response.razorpay_payment_id)
    expect(payment).toMatchObject({
      entity: 'payment',
      amount: 25000,
      currency: 'INR',
      status: 'captured',
      captured: true,
      order_id: order.id,
      method: 'upi',
      vpa: 'success@razorpay',
      amount_refunded: 0,
      refund_status: null,
      fee: 590,
      tax: 90,
      error_code: null,
    })
    expect(await rzp.orders.fetch(order.id)).toMatchObject({
      status: 'paid',
      amount_paid: 25000,
      amount_due: 0,
      attempts: 1,
    })
    const ofOrder = await rzp.orders.fetchPayments(order.id)
    expect(ofOrder).toMatchObject({ entity: 'collection', count: 1 })
    expect(ofOrder.items[0]!.id).toBe(payment.id)
    const list = await rzp.payments.all({ count: 1 })
    expect(list.items[0]!.id).toBe(payment.id)
  })

  it('manual capture: authorized until captured with exactly the authorised amount', async () => {
    const { order, response } = await paidOrder(40000, 'manual')
    const id = response.razorpay_payment_id
    expect(await rzp.payments.fetch(id)).toMatchObject({ status: 'authorized', captured: false })
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'attempted', amount_paid: 0 })

    const less = await rejection(rzp.payments.capture(id, 39999, 'INR'))
    expect(less).toMatchObject({
      statusCode: 400,
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: 'Capture amount must be equal to the amount authorized',
      },
    })
    const captured = await rzp.payments.capture(id, 40000, 'INR')
    expect(captured).toMatchObject({ id, status: 'captured', captured: true })
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'paid', amount_paid: 40000 })
    const twice = await rejection(rzp.payments.capture(id, 40000, 'INR'))
    expect(twice.error.description).toBe('This payment has already been captured')
  })

  it('orders.all expands payments and filters by authorized', async () => {
    const { order, response } = await paidOrder(41000, 'manual')
    const expanded = await rzp.orders.all({ count: 1, 'expand[]': 'payments' } as never)
    const first = expanded.items[0] as unknown as {
      id: string
      payments: { count: number; items: { id: string }[] }
    }
    expect(first.id).toBe(order.id)
    expect(first.payments.items.map((p) => p.id)).toEqual([response.razorpay_payment_id])
    const authorized = await rzp.orders.all({ authorized: 1 } as never)
    expect(authorized.items.map((o) => o.id)).toContain(order.id)
    await rzp.payments.capture(response.razorpay_payment_id, 41000, 'INR')
    expect((await rzp.orders.all({ authorized: 1 } as never)).items.map((o) => o.id)).not.toContain(order.id)
  })

  it('capture of an unknown payment is 400 "The id provided does not exist"', async () => {
    const err = await rejection(rzp.payments.capture('pay_Unknown0000000', 100, 'INR'))
    expect(err).toMatchObject({ statusCode: 400, error: { description: 'The id provided does not exist' } })
  })

  it('an uncaptured authorisation is refunded when the capture window ends (virtual clock)', async () => {
    const { response } = await paidOrder(30000, 'manual')
    sims.core.clock.advance(3 * 24 * 3_600_000 + 1)
    expect(await rzp.payments.fetch(response.razorpay_payment_id)).toMatchObject({
      status: 'refunded',
      amount_refunded: 30000,
      refund_status: 'full',
    })
  })
})

describe('refunds through razorpay-node', () => {
  it('partial then full refund, fetch and list, then refusal', async () => {
    const { response } = await paidOrder(10000)
    const id = response.razorpay_payment_id
    const partial = await rzp.payments.refund(id, { amount: 2500, notes: { why: 'damaged' } })
    expect(partial).toMatchObject({
      entity: 'refund',
      amount: 2500,
      payment_id: id,
      status: 'processed',
      currency: 'INR',
      notes: { why: 'damaged' },
    })
    expect(partial.id).toMatch(/^rfnd_[A-Za-z0-9]{14}$/)
    expect(await rzp.payments.fetch(id)).toMatchObject({
      status: 'captured',
      amount_refunded: 2500,
      refund_status: 'partial',
    })

    const tooMuch = await rejection(rzp.payments.refund(id, { amount: 7501 }))
    expect(tooMuch.error.description).toBe('The refund amount provided is greater than amount captured')

    const rest = await rzp.payments.refund(id, {})
    expect(rest.amount).toBe(7500)
    expect(await rzp.payments.fetch(id)).toMatchObject({
      status: 'refunded',
      amount_refunded: 10000,
      refund_status: 'full',
    })
    expect(await rzp.refunds.fetch(partial.id)).toEqual(partial)
    expect(await rzp.payments.fetchRefund(id, rest.id)).toEqual(rest)
    // refunds.all reads payment_id (lib/resources/refunds.js) though the typings leave it out.
    const allRefunds = rzp.refunds.all as unknown as (params: object) => Promise<{ items: { id: string }[] }>
    const ofPayment = await allRefunds.call(rzp.refunds, { payment_id: id })
    expect(ofPayment.items.map((r) => r.id)).toEqual([rest.id, partial.id])
    expect((await rzp.payments.fetchMultipleRefund(id)).count).toBe(2)
    expect((await rzp.refunds.all({ count: 1 })).items[0]!.id).toBe(rest.id)

    const again = await rejection(rzp.payments.refund(id, { amount: 100 }))
    expect(again.error.description).toBe('The payment has been fully refunded already')
  })

  it('refunding an authorized (uncaptured) payment is refused', async () => {
    const { response } = await paidOrder(15000, 'manual')
    const err = await rejection(rzp.payments.refund(response.razorpay_payment_id, { amount: 1000 }))
    expect(err.error.description).toBe('The payment status should be captured for action to be taken')
  })
})

describe('webhooks accepted by razorpay-node validateWebhookSignature', () => {
  it('signs the raw body with the endpoint secret and sends the event id header', async () => {
    const { order } = await paidOrder(33300)
    const got = await rx.until((r) =>
      r.some((x) => x.body.includes(order.id) && x.body.includes('"order.paid"')),
    )
    const hook = got.find((x) => x.body.includes(order.id) && x.body.includes('"order.paid"'))!
    expect(
      validateWebhookSignature(hook.body, String(hook.headers['x-razorpay-signature']), webhookSecret),
    ).toBe(true)
    expect(hook.headers['x-razorpay-event-id']).toMatch(/^[A-Za-z0-9]{14}$/)
    const event = JSON.parse(hook.body)
    expect(event).toMatchObject({ entity: 'event', event: 'order.paid', contains: ['payment', 'order'] })
    expect(event.account_id).toMatch(/^acc_/)
    expect(event.payload.order.entity).toMatchObject({ id: order.id, status: 'paid' })
    expect(event.payload.payment.entity).toMatchObject({ order_id: order.id, status: 'captured' })
    // Forged: another secret, or the same signature over re-serialised (different) bytes.
    expect(
      validateWebhookSignature(hook.body, String(hook.headers['x-razorpay-signature']), 'another_secret'),
    ).toBe(false)
    expect(
      validateWebhookSignature(
        JSON.stringify(event, null, 2),
        String(hook.headers['x-razorpay-signature']),
        webhookSecret,
      ),
    ).toBe(false)
  })
})
