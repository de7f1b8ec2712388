import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { billingTriggers } from './billing-triggers.ts'
import { LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * `standin trigger stripe <event>` for invoicing and discounts: every trigger
 * emits its event, delivered signed, with the objects of its chain
 * retrievable through the API.
 */
const h = useHarness()

const RETRIEVABLE: Record<string, (s: Stripe, id: string) => Promise<{ id: string }>> = {
  invoice: (s, id) => s.invoices.retrieve(id),
  invoiceitem: (s, id) => s.invoiceItems.retrieve(id),
  credit_note: (s, id) => s.creditNotes.retrieve(id),
  coupon: (s, id) => s.coupons.retrieve(id),
  promotion_code: (s, id) => s.promotionCodes.retrieve(id),
  tax_rate: (s, id) => s.taxRates.retrieve(id),
  plan: (s, id) => s.plans.retrieve(id),
  subscription_schedule: (s, id) => s.subscriptionSchedules.retrieve(id),
  payment_link: (s, id) => s.paymentLinks.retrieve(id),
  'billing_portal.configuration': (s, id) => s.billingPortal.configurations.retrieve(id),
  subscription: (s, id) => s.subscriptions.retrieve(id),
}

describe('billing triggers', () => {
  it.each(Object.keys(billingTriggers))(
    '%s emits its event, signed, with a retrievable object',
    async (type) => {
      const key = `sk_test_trigger_${type.replace(/\W/g, '_')}`
      const s = h.client({ key, version: LEGACY_VERSION })
      const receiver = await startReceiver()
      try {
        const endpoint = await s.webhookEndpoints.create({
          url: receiver.url,
          enabled_events: [type as Stripe.WebhookEndpointCreateParams.EnabledEvent],
        })
        await h.sims.runtime('stripe').trigger(type, key, {})
        const delivery = await receiver.waitFor((e) => e.type === type)
        const event = s.webhooks.constructEvent(
          delivery.body,
          delivery.headers['stripe-signature'] as string,
          endpoint.secret!,
        )
        const object = event.data.object as { id: string; object: string; deleted?: boolean }
        expect((await s.events.retrieve(event.id)).type).toBe(type)
        const gone = type.endsWith('.deleted')
        const read = RETRIEVABLE[object.object]
        if (read && !gone) expect((await read(s, object.id)).id).toBe(object.id)
        if (read && gone && object.object !== 'discount')
          await expect(read(s, object.id)).rejects.toMatchObject({ statusCode: 404 })
      } finally {
        await receiver.close()
      }
    },
  )
})
