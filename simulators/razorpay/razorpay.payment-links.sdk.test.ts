import { createRequire } from 'node:module'
import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { payAtShortUrl } from './checkout/hosted-driver.ts'
import { type Receiver, rejection, startRazorpayWithWebhooks } from './test-support.ts'

// The SDK's own helpers.
const { validatePaymentVerification, validateWebhookSignature } = createRequire(import.meta.url)(
  'razorpay/dist/utils/razorpay-utils',
) as {
  validatePaymentVerification(params: Record<string, string>, signature: string, secret: string): boolean
  validateWebhookSignature(body: string, signature: string, secret: string): boolean
}

const keys = { key_id: 'rzp_test_SdkLinks000001', key_secret: 'sdk_links_secret' }
const secret = 'links_webhook_secret'
let sims: RunningProviders
let rzp: Razorpay
let rx: Receiver
let close: () => Promise<void>

beforeAll(async () => {
  ;({ sims, rzp, rx, close } = await startRazorpayWithWebhooks(keys, secret))
})
afterAll(() => close())

/** The SDK's typings ask for more than the API requires (customer, options…): the calls go through as sent. */
interface Link {
  id: string
  short_url: string
  order_id: string
  status: string
  amount_paid: number
  cancelled_at: number
  expired_at: number
  payments: { payment_id: string; amount: number; status: string }[] | null
  [field: string]: unknown
}
const createLink = (params: Record<string, unknown>) =>
  rzp.paymentLink.create(params as never) as unknown as Promise<Link>
const listLinks = (params: Record<string, unknown>) =>
  rzp.paymentLink.all(params as never) as unknown as Promise<{ payment_links: { id: string }[] }>

const about = (id: string) => rx.received.filter((r) => r.body.includes(id)).map((r) => JSON.parse(r.body))

describe('payment links through razorpay-node', () => {
  it('creates a link, pays it at short_url (callback GET with a verifiable signature), payment_link.paid signed', async () => {
    const link = await createLink({
      amount: 50000,
      currency: 'INR',
      description: 'Gift card ₹500',
      reference_id: 'gift-1001',
      customer: { name: 'Gaurav', email: 'gaurav@example.com', contact: '+919000090000' },
      notify: { sms: true, email: true },
      callback_url: 'https://merchant.example/return',
      callback_method: 'get',
      notes: { card: 'g1' },
    })
    expect(link).toMatchObject({
      amount: 50000,
      amount_paid: 0,
      currency: 'INR',
      status: 'created',
      reference_id: 'gift-1001',
      accept_partial: false,
      payments: null,
      callback_method: 'get',
      notes: { card: 'g1' },
    })
    expect(link.id).toMatch(/^plink_[A-Za-z0-9]{14}$/)
    expect(await rzp.paymentLink.fetch(link.id)).toEqual(link)
    const page = await fetch(link.short_url)
    expect(await page.text()).toContain('Gift card')

    const paid = await payAtShortUrl(link.short_url, { method: 'upi', vpa: 'success@razorpay' })
    if (!paid.ok) throw new Error(`payment failed: ${paid.description}`)
    expect(paid.status).toBe(303)
    expect(paid.location?.startsWith('https://merchant.example/return?')).toBe(true)
    expect(paid.fields).toMatchObject({
      razorpay_payment_link_id: link.id,
      razorpay_payment_link_reference_id: 'gift-1001',
      razorpay_payment_link_status: 'paid',
    })
    expect(
      validatePaymentVerification(
        {
          payment_link_id: link.id,
          payment_link_reference_id: 'gift-1001',
          payment_link_status: 'paid',
          payment_id: paid.fields.razorpay_payment_id!,
        },
        paid.fields.razorpay_signature!,
        keys.key_secret,
      ),
    ).toBe(true)

    const after = (await rzp.paymentLink.fetch(link.id)) as unknown as Link
    expect(after).toMatchObject({ status: 'paid', amount_paid: 50000 })
    expect(after.payments).toEqual([
      expect.objectContaining({
        payment_id: paid.fields.razorpay_payment_id,
        amount: 50000,
        status: 'captured',
      }),
    ])
    expect(await rzp.payments.fetch(paid.fields.razorpay_payment_id!)).toMatchObject({
      status: 'captured',
      order_id: link.order_id,
    })

    await rx.until(() => about(link.id).some((e) => e.event === 'payment_link.paid'))
    const event = about(link.id).find((e) => e.event === 'payment_link.paid')
    expect(event.contains).toEqual(['payment_link', 'order', 'payment'])
    expect(event.payload.payment_link.entity).toMatchObject({ id: link.id, status: 'paid' })
    const hook = rx.received.find((r) => r.body.includes('"payment_link.paid"') && r.body.includes(link.id))!
    expect(validateWebhookSignature(hook.body, String(hook.headers['x-razorpay-signature']), secret)).toBe(
      true,
    )
    // A paid link is paid: no second payment, no cancel.
    expect((await payAtShortUrl(link.short_url, { method: 'upi', vpa: 'success@razorpay' })).ok).toBe(false)
    const cancel = await rejection(rzp.paymentLink.cancel(link.id))
    expect(cancel.error).toMatchObject({ description: 'Payment Link cannot be cancelled in paid state.' })
  })

  it('accept_partial: partially_paid then paid, with payment_link.partially_paid then payment_link.paid', async () => {
    const link = await createLink({
      amount: 100000,
      currency: 'INR',
      accept_partial: true,
      first_min_partial_amount: 30000,
      description: 'Instalments',
    })
    const tooSmall = await payAtShortUrl(link.short_url, {
      method: 'upi',
      vpa: 'success@razorpay',
      amount: 10000,
    })
    expect(tooSmall.ok).toBe(false)
    const first = await payAtShortUrl(link.short_url, {
      method: 'card',
      number: '4100280000001007',
      amount: 40000,
    })
    expect(first.ok).toBe(true)
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({
      status: 'partially_paid',
      amount_paid: 40000,
    })
    const rest = await payAtShortUrl(link.short_url, {
      method: 'upi',
      vpa: 'success@razorpay',
      amount: 60000,
    })
    expect(rest.ok).toBe(true)
    const done = await rzp.paymentLink.fetch(link.id)
    expect(done).toMatchObject({ status: 'paid', amount_paid: 100000 })
    expect(done.payments).toHaveLength(2)
    await rx.until(() => about(link.id).filter((e) => e.event.startsWith('payment_link.')).length >= 2)
    expect(
      about(link.id)
        .filter((e) => e.event.startsWith('payment_link.'))
        .map((e) => e.event),
    ).toEqual(['payment_link.partially_paid', 'payment_link.paid'])
  })

  it('a failed payment leaves the link created (payment.failed); an error card fails with its reason', async () => {
    const link = await createLink({ amount: 20000, currency: 'INR' })
    const failed = await payAtShortUrl(link.short_url, { method: 'card', number: '4100280000060003' })
    expect(failed).toMatchObject({ ok: false, reason: 'card_declined' })
    expect(await rzp.paymentLink.fetch(link.id)).toMatchObject({ status: 'created', amount_paid: 0 })
  })

  it('cancels a created link (payment_link.cancelled); the page then takes no payment', async () => {
    const link = await createLink({ amount: 30000, currency: 'INR', reference_id: 'cancel-me' })
    const cancelled = await rzp.paymentLink.cancel(link.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.cancelled_at).toBeGreaterThan(0)
    expect((await payAtShortUrl(link.short_url, { method: 'upi', vpa: 'success@razorpay' })).ok).toBe(false)
    await rx.until(() => about(link.id).some((e) => e.event === 'payment_link.cancelled'))
  })

  it('expires at expire_by on the virtual clock (payment_link.expired)', async () => {
    const expireBy = Math.floor(sims.core.clock.now() / 1000) + 3_600
    const link = await createLink({ amount: 30000, currency: 'INR', expire_by: expireBy })
    await sims.core.clock.advanceAsync(3_601_000)
    const expired = await rzp.paymentLink.fetch(link.id)
    expect(expired.status).toBe('expired')
    expect(expired.expired_at).toBeGreaterThan(0)
    await rx.until(() => about(link.id).some((e) => e.event === 'payment_link.expired'))
  })

  it('edits a link and lists links by reference_id and payment_id as { payment_links }', async () => {
    const link = await createLink({ amount: 30000, currency: 'INR', reference_id: 'list-1' })
    const edited = await rzp.paymentLink.edit(link.id, { reference_id: 'list-1b', notes: { a: '1' } })
    expect(edited).toMatchObject({ reference_id: 'list-1b', notes: { a: '1' } })
    const byRef = await listLinks({ reference_id: 'list-1b' })
    expect(byRef.payment_links.map((l) => l.id)).toEqual([link.id])
    const paid = await payAtShortUrl(link.short_url, { method: 'upi', vpa: 'success@razorpay' })
    if (!paid.ok) throw new Error('payment failed')
    const byPayment = await listLinks({
      payment_id: paid.fields.razorpay_payment_id,
    })
    expect(byPayment.payment_links.map((l) => l.id)).toEqual([link.id])
  })

  it('bad input names the parameter', async () => {
    const missing = await rejection(createLink({ currency: 'INR' } as never))
    expect(missing.error).toMatchObject({ description: 'The amount field is required.', field: 'amount' })
    const early = await rejection(
      createLink({ amount: 1000, expire_by: Math.floor(sims.core.clock.now() / 1000) + 60 }),
    )
    expect(early.error).toMatchObject({ field: 'expire_by' })
    await createLink({ amount: 1000, reference_id: 'dup-ref' })
    const dup = await rejection(createLink({ amount: 1000, reference_id: 'dup-ref' }))
    expect(dup.error).toMatchObject({ field: 'reference_id' })
    const partial = await rejection(createLink({ amount: 1000, first_min_partial_amount: 500 }))
    expect(partial.error).toMatchObject({ field: 'first_min_partial_amount' })
    const unknown = await rejection(rzp.paymentLink.fetch('plink_00000000000000'))
    expect(unknown.error).toMatchObject({ description: 'The id provided does not exist' })
  })
})
