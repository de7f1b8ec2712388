import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Payment links through the official library, and the page behind a link's
 * `url`, which completes a Checkout Session with a test card.
 */
const h = useHarness()

const pay = (url: string, number = '4242 4242 4242 4242') =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({
      email: 'buyer@example.com',
      cardNumber: number,
      cardExpiry: '12 / 40',
      cardCvc: '123',
      billingName: 'B',
    }),
  })

describe('payment links', () => {
  it('creates, retrieves, updates, lists a link and its line items; refuses bad input', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 1500,
      product_data: { name: 'Gift card' },
    })
    const link = await s.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 2 }],
      metadata: { shop: 's1' },
    })
    expect(link.id).toMatch(/^plink_/)
    expect(link).toMatchObject({
      object: 'payment_link',
      active: true,
      currency: 'usd',
      url: `http://127.0.0.1:${h.port}/b/${link.id}`,
      after_completion: { type: 'hosted_confirmation' },
    })
    const items = await s.paymentLinks.listLineItems(link.id)
    expect(items.data[0]).toMatchObject({ object: 'item', quantity: 2, amount_total: 3000 })
    expect((await s.paymentLinks.retrieve(link.id)).metadata).toEqual({ shop: 's1' })
    expect((await s.paymentLinks.update(link.id, { active: false })).active).toBe(false)
    expect((await s.paymentLinks.list({ active: false })).data.map((l) => l.id)).toEqual([link.id])
    const inactive = await fetch(link.url)
    expect(inactive.status).toBe(410)
    const missing = await failure(
      s.paymentLinks.create({ line_items: [{ price: 'price_ghost', quantity: 1 }] }),
    )
    expect(missing).toMatchObject({ code: 'resource_missing', param: 'line_items[0][price]' })
    const noItems = await failure(s.paymentLinks.create({} as Stripe.PaymentLinkCreateParams))
    expect(noItems).toMatchObject({ statusCode: 400, param: 'line_items' })
  })

  it('opens a Checkout page from the link url, pays it, and lands on the redirect, events signed and in order', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['payment_link.created', 'payment_link.updated', 'checkout.session.completed'],
        api_version: LEGACY_VERSION,
      })
      const price = await s.prices.create({
        currency: 'usd',
        unit_amount: 2500,
        product_data: { name: 'Credits' },
      })
      const link = await s.paymentLinks.create({
        line_items: [{ price: price.id, quantity: 1 }],
        after_completion: {
          type: 'redirect',
          redirect: { url: 'https://shop.example/thanks?s={CHECKOUT_SESSION_ID}' },
        },
      })
      await receiver.waitFor((e) => e.type === 'payment_link.created')
      const open = await fetch(link.url, { redirect: 'manual' })
      expect(open.status).toBe(303)
      const checkoutUrl = open.headers.get('location')!
      expect(checkoutUrl).toContain('/c/pay/cs_test_')
      const sessionId = checkoutUrl.split('/').at(-1)!
      const session = await s.checkout.sessions.retrieve(sessionId)
      expect(session).toMatchObject({
        payment_link: link.id,
        mode: 'payment',
        amount_total: 2500,
        status: 'open',
      })
      const paid = await pay(checkoutUrl)
      expect(paid.status).toBe(303)
      expect(paid.headers.get('location')).toBe(`https://shop.example/thanks?s=${sessionId}`)
      const done = await s.checkout.sessions.retrieve(sessionId)
      expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', payment_link: link.id })
      expect((await s.checkout.sessions.list({ payment_link: link.id })).data.map((x) => x.id)).toEqual([
        sessionId,
      ])
      await s.paymentLinks.update(link.id, { metadata: { campaign: 'x' } })
      await receiver.waitFor((e) => e.type === 'payment_link.updated')
      expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual([
        'payment_link.created',
        'checkout.session.completed',
        'payment_link.updated',
      ])
      expectSignedToSpec(s, receiver.received, endpoint.secret!)
    } finally {
      await receiver.close()
    }
  })

  it('shows the confirmation page by default, and starts a subscription for a recurring price', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
      product_data: { name: 'Club' },
    })
    const link = await s.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Welcome!' } },
    })
    const checkoutUrl = (await fetch(link.url, { redirect: 'manual' })).headers.get('location')!
    const paid = await pay(checkoutUrl)
    const landing = paid.headers.get('location')!
    expect(landing).toContain(`/b/${link.id}/done?session_id=cs_test_`)
    const page = await (await fetch(landing)).text()
    expect(page).toContain('Welcome!')
    const session = await s.checkout.sessions.retrieve(new URL(landing).searchParams.get('session_id')!)
    expect(session).toMatchObject({ mode: 'subscription', status: 'complete' })
    expect((await s.subscriptions.retrieve(session.subscription as string)).status).toBe('active')
  })
})
