import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { checkResponse } from './spec-check.ts'
import { LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Every event type of the dispute, refund and Connect areas, produced the way
 * `standin trigger stripe <event>` produces it, delivered signed to endpoints
 * pinned to the bundled spec's version, and checked against that spec (the
 * event and its object).
 */
const h = useHarness({ specCheck: false })

const TYPES = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'refund.updated',
  'charge.refund.updated',
  'account.updated',
  'transfer.created',
  'transfer.reversed',
  'transfer.updated',
  'application_fee.created',
  'application_fee.refunded',
  'payout.created',
  'payout.updated',
  'payout.paid',
  'payout.canceled',
  'payout.failed',
]

describe('events of these areas', () => {
  it.each(TYPES)('%s arrives signed and valid against the spec', async (type) => {
    const key = `sk_test_area_${type.replace(/\W/g, '_')}`
    const s = h.client({ key, version: LEGACY_VERSION })
    const receiver = await startReceiver()
    try {
      const own = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['*'],
        api_version: LEGACY_VERSION,
      })
      const connect = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['*'],
        api_version: LEGACY_VERSION,
        connect: true,
      })
      await h.sims.runtime('stripe').trigger(type, key, {})
      const hit = await receiver.waitFor((e) => e.type === type)
      const secret = JSON.parse(hit.body).account ? connect.secret! : own.secret!
      const event = Stripe.webhooks.constructEvent(
        hit.body,
        hit.headers['stripe-signature'] as string,
        secret,
      )
      expect([...checkResponse(event), ...checkResponse(event.data.object)]).toEqual([])
      if (type.endsWith('.updated')) expect(Object.keys(event.data.previous_attributes ?? {})).not.toEqual([])
    } finally {
      await receiver.close()
    }
  })
})
