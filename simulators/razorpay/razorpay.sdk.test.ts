import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { razorpayClient } from './sdk.ts'
import { rejection, startRazorpay } from './test-support.ts'

const keys = { key_id: 'rzp_test_SdkOrders0001', key_secret: 'sdk_secret_1' }
let sims: RunningProviders
let rzp: Razorpay

beforeAll(async () => {
  ;({ sims, rzp } = await startRazorpay(keys))
})
afterAll(() => sims.close())

describe('orders through razorpay-node', () => {
  it('creates an order in paise with receipt and notes, and fetches it', async () => {
    const order = await rzp.orders.create({
      amount: 50000,
      currency: 'INR',
      receipt: 'rcpt_1',
      notes: { cart: 'c1' },
    })
    expect(order).toMatchObject({
      entity: 'order',
      amount: 50000,
      amount_paid: 0,
      amount_due: 50000,
      currency: 'INR',
      receipt: 'rcpt_1',
      offer_id: null,
      status: 'created',
      attempts: 0,
      notes: { cart: 'c1' },
    })
    expect(order.id).toMatch(/^order_[A-Za-z0-9]{14}$/)
    expect(await rzp.orders.fetch(order.id)).toEqual(order)
  })

  it('serialises empty notes as [] like Razorpay', async () => {
    const order = await rzp.orders.create({ amount: 100, currency: 'INR' })
    expect(order.notes).toEqual([])
    expect(order.receipt).toBeNull()
  })

  it('lists orders newest first with count and skip, filtered by receipt', async () => {
    const a = await rzp.orders.create({ amount: 1000, currency: 'INR', receipt: 'list-a' })
    const b = await rzp.orders.create({ amount: 2000, currency: 'INR', receipt: 'list-b' })
    const page = await rzp.orders.all({ count: 2 })
    expect(page).toMatchObject({ entity: 'collection', count: 2 })
    expect(page.items.map((o) => o.id)).toEqual([b.id, a.id])
    const skipped = await rzp.orders.all({ count: 1, skip: 1 })
    expect(skipped.items[0]!.id).toBe(a.id)
    const byReceipt = await rzp.orders.all({ receipt: 'list-a' })
    expect(byReceipt.items.map((o) => o.id)).toEqual([a.id])
  })

  it('answers an unknown order id with 400 BAD_REQUEST_ERROR', async () => {
    const err = await rejection(rzp.orders.fetch('order_DoesNotExist00'))
    expect(err.statusCode).toBe(400)
    expect(err.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'The id provided does not exist',
    })
  })

  it('refuses a wrong key secret with 401 once the key pair is known', async () => {
    const wrong = razorpayClient(sims.url('razorpay'), { key_id: keys.key_id, key_secret: 'not-the-secret' })
    const err = await rejection(wrong.orders.all())
    expect(err.statusCode).toBe(401)
    expect(err.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' })
  })

  it('refuses a key id that is not rzp_test_/rzp_live_', async () => {
    const bad = razorpayClient(sims.url('razorpay'), { key_id: 'sk_test_123', key_secret: 'x' })
    expect((await rejection(bad.orders.all())).statusCode).toBe(401)
  })
})
