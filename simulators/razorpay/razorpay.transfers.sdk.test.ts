import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { payOrder } from './checkout/driver.ts'
import { type Receiver, rejection, startRazorpayWithWebhooks } from './test-support.ts'
import { signature } from './webhooks.ts'

/** Route: a marketplace pays its linked accounts from captured payments, holds settlements (escrow), reverses. */
const keys = { key_id: 'rzp_test_SdkRoute000001', key_secret: 'sdk_route_secret' }
const secret = 'route_webhook_secret'
let sims: RunningProviders
let rzp: Razorpay
let rx: Receiver
let close: () => Promise<void>
let seller: string

beforeAll(async () => {
  ;({ sims, rzp, rx, close } = await startRazorpayWithWebhooks(keys, secret))
  const made = (await sims.runtime('razorpay').trigger('route.linked_account', keys.key_id, {
    name: 'Plumber Co',
  })) as { id: string }
  seller = made.id
})
afterAll(() => close())

/** A captured payment of `amount` (auto-capture order paid by UPI at the hosted checkout). */
async function captured(amount: number, capture: 'automatic' | 'manual' = 'automatic') {
  const order = await rzp.orders.create({ amount, currency: 'INR', payment: { capture } } as never)
  const paid = await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa: 'success@razorpay' })
  if (!paid.ok) throw new Error('payment failed')
  return paid.response.razorpay_payment_id
}

// The SDK's typings for these calls are narrower than the API: the calls go through as sent.
type AnyTransfer = Record<string, unknown> & { id: string; amount_reversed: number }
const transferFrom = (paymentId: string, transfers: Record<string, unknown>[]) =>
  rzp.payments.transfer(paymentId, { transfers } as never) as unknown as Promise<{
    entity: string
    count: number
    items: AnyTransfer[]
  }>

describe('Route transfers through razorpay-node', () => {
  it('transfers part of a captured payment to a linked account on hold (escrow), then releases it', async () => {
    const paymentId = await captured(100_000)
    const made = await transferFrom(paymentId, [
      {
        account: seller,
        amount: 80_000,
        currency: 'INR',
        notes: { job: 'j-1' },
        linked_account_notes: ['job'],
        on_hold: true,
      },
    ])
    expect(made).toMatchObject({ entity: 'collection', count: 1 })
    const transfer = made.items[0]!
    expect(transfer).toMatchObject({
      entity: 'transfer',
      status: 'processed',
      source: paymentId,
      recipient: seller,
      amount: 80_000,
      currency: 'INR',
      amount_reversed: 0,
      on_hold: true,
      on_hold_until: null,
      settlement_status: 'on_hold',
      linked_account_notes: ['job'],
      notes: { job: 'j-1' },
    })
    expect(transfer.id).toMatch(/^trf_[A-Za-z0-9]{14}$/)
    expect(await rzp.transfers.fetch(transfer.id)).toEqual(transfer)
    const forPayment = await rzp.payments.fetchTransfer(paymentId)
    expect(forPayment.items.map((t) => t.id)).toEqual([transfer.id])

    const released = await rzp.transfers.edit(transfer.id, { on_hold: false } as never)
    expect(released).toMatchObject({ on_hold: false, settlement_status: 'pending' })

    const hook = await rx.until((r) => r.some((x) => x.body.includes(transfer.id)))
    const got = hook.find((x) => x.body.includes(transfer.id))!
    expect(JSON.parse(got.body)).toMatchObject({ event: 'transfer.processed', contains: ['transfer'] })
    expect(got.headers['x-razorpay-signature']).toBe(signature(secret, got.body))
  })

  it('on_hold_until releases the settlement when the virtual clock passes it', async () => {
    const paymentId = await captured(50_000)
    const until = Math.floor(sims.core.clock.now() / 1000) + 7 * 86_400
    const [transfer] = (
      await transferFrom(paymentId, [
        { account: seller, amount: 40_000, currency: 'INR', on_hold: true, on_hold_until: until },
      ])
    ).items
    expect(transfer).toMatchObject({ on_hold: true, on_hold_until: until, settlement_status: 'on_hold' })
    await sims.core.clock.advanceAsync(7 * 86_400_000)
    expect(await rzp.transfers.fetch(transfer!.id)).toMatchObject({
      on_hold: false,
      settlement_status: 'pending',
    })
  })

  it('reverses part, then the rest: partially_reversed, reversed; reversals are listed', async () => {
    const paymentId = await captured(30_000)
    const [transfer] = (await transferFrom(paymentId, [{ account: seller, amount: 30_000, currency: 'INR' }]))
      .items
    const part = (await rzp.transfers.reverse(transfer!.id, {
      amount: 10_000,
    } as never)) as unknown as Record<string, unknown>
    expect(part).toMatchObject({
      entity: 'reversal',
      transfer_id: transfer!.id,
      amount: 10_000,
      currency: 'INR',
    })
    expect(String(part.id)).toMatch(/^rvrsl_/)
    expect(await rzp.transfers.fetch(transfer!.id)).toMatchObject({
      status: 'partially_reversed',
      amount_reversed: 10_000,
    })
    await rzp.transfers.reverse(transfer!.id, {} as never)
    expect(await rzp.transfers.fetch(transfer!.id)).toMatchObject({
      status: 'reversed',
      amount_reversed: 30_000,
    })
    // The SDK has no call to list reversals: plain HTTP, as the API reference shows it.
    const listed = await fetch(`${sims.url('razorpay')}/v1/transfers/${transfer!.id}/reversals`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${keys.key_id}:${keys.key_secret}`).toString('base64')}`,
      },
    }).then((r) => r.json() as Promise<{ count: number; items: { amount: number }[] }>)
    expect(listed.items.map((r) => r.amount)).toEqual([20_000, 10_000])
    const again = await rejection(rzp.transfers.reverse(transfer!.id, {} as never))
    expect(again.statusCode).toBe(400)
    // What was reversed may be transferred again.
    const [next] = (await transferFrom(paymentId, [{ account: seller, amount: 30_000, currency: 'INR' }]))
      .items
    expect(next!.amount).toBe(30_000)
  })

  it('reverse_all on a refund: full refunds reverse every transfer; a partial one reverses from a single transfer', async () => {
    const split = await captured(40_000)
    const [a, b] = (
      await transferFrom(split, [
        { account: seller, amount: 10_000, currency: 'INR' },
        { account: seller, amount: 20_000, currency: 'INR' },
      ])
    ).items
    const refused = await rejection(rzp.payments.refund(split, { amount: 5_000, reverse_all: 1 } as never))
    expect(refused.error).toMatchObject({ field: 'reverse_all' })
    expect((await rzp.transfers.fetch(a!.id)).amount_reversed).toBe(0)
    await rzp.payments.refund(split, { reverse_all: 1 } as never)
    expect(await rzp.transfers.fetch(a!.id)).toMatchObject({ status: 'reversed', amount_reversed: 10_000 })
    expect(await rzp.transfers.fetch(b!.id)).toMatchObject({ status: 'reversed', amount_reversed: 20_000 })

    const single = await captured(40_000)
    const [c] = (await transferFrom(single, [{ account: seller, amount: 30_000, currency: 'INR' }])).items
    await rzp.payments.refund(single, { amount: 12_000, reverse_all: true } as never)
    expect(await rzp.transfers.fetch(c!.id)).toMatchObject({
      status: 'partially_reversed',
      amount_reversed: 12_000,
    })
  })

  it('a direct transfer from the balance; transfers are listed newest first', async () => {
    const direct = (await rzp.transfers.create({
      account: seller,
      amount: 5_000,
      currency: 'INR',
    })) as unknown as AnyTransfer
    expect(direct).toMatchObject({
      entity: 'transfer',
      recipient: seller,
      amount: 5_000,
      status: 'processed',
    })
    expect(String(direct.source)).toMatch(/^acc_/)
    const page = await rzp.transfers.all({ count: 1 })
    expect(page.items[0]!.id).toBe(direct.id)
  })

  it('refuses what Route refuses, naming the parameter', async () => {
    const paymentId = await captured(20_000)
    const over = await rejection(
      transferFrom(paymentId, [{ account: seller, amount: 20_100, currency: 'INR' }]),
    )
    expect(over.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'The sum of amount requested for transfer is greater than the captured amount',
    })
    const unknown = await rejection(
      transferFrom(paymentId, [{ account: 'acc_00000000000000', amount: 1_000, currency: 'INR' }]),
    )
    expect(unknown.error).toMatchObject({
      description: 'The id provided does not exist',
      field: 'transfers.0.account',
    })
    const usd = await rejection(
      transferFrom(paymentId, [{ account: seller, amount: 1_000, currency: 'USD' }]),
    )
    expect(usd.error).toMatchObject({ field: 'transfers.0.currency' })
    const noAmount = await rejection(transferFrom(paymentId, [{ account: seller, currency: 'INR' }]))
    expect(noAmount.error).toMatchObject({
      description: 'The amount field is required.',
      field: 'transfers.0.amount',
    })
    const authorizedOnly = await captured(10_000, 'manual')
    const notCaptured = await rejection(
      transferFrom(authorizedOnly, [{ account: seller, amount: 1_000, currency: 'INR' }]),
    )
    expect(notCaptured.error).toMatchObject({
      description: 'Transfers can be created only for captured payments',
    })
    const missing = await rejection(rzp.transfers.fetch('trf_00000000000000'))
    expect(missing.error).toMatchObject({ description: 'The id provided does not exist' })
  })
})
