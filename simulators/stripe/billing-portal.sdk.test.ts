import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * The customer portal through the official library: configurations, sessions
 * and the page behind a session's `url`, where a customer cancels.
 */
const h = useHarness()

async function subscribed(s: Stripe) {
  const customer = await s.customers.create({ email: 'portal@example.com', payment_method: 'pm_card_visa' })
  const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
  const price = await s.prices.create({
    currency: 'usd',
    unit_amount: 900,
    recurring: { interval: 'month' },
    product_data: { name: 'Pro' },
  })
  const sub = await s.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    default_payment_method: pm.id,
  })
  return { customer, sub }
}

describe('billing portal', () => {
  it('creates, retrieves, updates and lists configurations', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const config = await s.billingPortal.configurations.create({
      business_profile: { headline: 'Acme' },
      features: { invoice_history: { enabled: true } },
      default_return_url: 'https://app.example/account',
    })
    expect(config.id).toMatch(/^bpc_/)
    expect(config).toMatchObject({
      object: 'billing_portal.configuration',
      active: true,
      is_default: true,
      default_return_url: 'https://app.example/account',
      features: { invoice_history: { enabled: true }, subscription_cancel: { enabled: false } },
    })
    const second = await s.billingPortal.configurations.create({
      business_profile: { headline: 'B' },
      features: { subscription_cancel: { enabled: true, mode: 'immediately' } },
    })
    expect(second.is_default).toBe(false)
    const updated = await s.billingPortal.configurations.update(second.id, { active: false })
    expect(updated.active).toBe(false)
    expect((await s.billingPortal.configurations.list({ active: true })).data.map((c) => c.id)).toEqual([
      config.id,
    ])
    expect((await s.billingPortal.configurations.retrieve(config.id)).id).toBe(config.id)
    const inactive = await failure(
      s.billingPortal.sessions.create({ customer: 'cus_x', configuration: second.id }),
    )
    expect(inactive.statusCode).toBe(404)
    const { customer } = await subscribed(s)
    const refused = await failure(
      s.billingPortal.sessions.create({ customer: customer.id, configuration: second.id }),
    )
    expect(refused).toMatchObject({ statusCode: 400, param: 'configuration' })
  })

  it('serves the session url; the customer cancels there and returns', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: [
          'billing_portal.configuration.created',
          'billing_portal.session.created',
          'customer.subscription.deleted',
        ],
        api_version: LEGACY_VERSION,
      })
      await s.billingPortal.configurations.create({
        business_profile: { headline: 'Acme' },
        features: {
          subscription_cancel: { enabled: true, mode: 'immediately' },
          invoice_history: { enabled: true },
        },
      })
      await receiver.waitFor((e) => e.type === 'billing_portal.configuration.created')
      const { customer, sub } = await subscribed(s)
      const session = await s.billingPortal.sessions.create({
        customer: customer.id,
        return_url: 'https://app.example/back',
      })
      expect(session.id).toMatch(/^bps_/)
      expect(session.url).toBe(`http://127.0.0.1:${h.port}/p/session/${session.id}`)
      await receiver.waitFor((e) => e.type === 'billing_portal.session.created')
      const html = await (await fetch(session.url)).text()
      expect(html).toContain(`data-id="${sub.id}"`)
      expect(html).toContain('data-testid="invoice"')
      expect(html).toContain('href="https://app.example/back"')
      const cancel = await fetch(`${session.url}/cancel/${sub.id}`, { method: 'POST', redirect: 'manual' })
      expect(cancel.status).toBe(303)
      expect((await s.subscriptions.retrieve(sub.id)).status).toBe('canceled')
      await receiver.waitFor((e) => e.type === 'customer.subscription.deleted')
      expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual([
        'billing_portal.configuration.created',
        'billing_portal.session.created',
        'customer.subscription.deleted',
      ])
      expectSignedToSpec(s, receiver.received, endpoint.secret!)
      expect((await fetch(`http://127.0.0.1:${h.port}/p/session/bps_nothing`)).status).toBe(404)
    } finally {
      await receiver.close()
    }
  })

  it('makes a default configuration when none exists, cancelling at period end', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const { customer, sub } = await subscribed(s)
    const session = await s.billingPortal.sessions.create({ customer: customer.id })
    const config = await s.billingPortal.configurations.retrieve(session.configuration as string)
    expect(config).toMatchObject({
      is_default: true,
      features: { subscription_cancel: { enabled: true, mode: 'at_period_end' } },
    })
    await fetch(`${session.url}/cancel/${sub.id}`, { method: 'POST', redirect: 'manual' })
    expect(await s.subscriptions.retrieve(sub.id)).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
    })
    const missing = await failure(s.billingPortal.sessions.create({ customer: 'cus_missing' }))
    expect(missing).toMatchObject({ code: 'resource_missing', param: 'customer' })
  })
})
