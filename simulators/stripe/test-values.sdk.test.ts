import { readFileSync } from 'node:fs'
import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { REFUND_SETTLES_AFTER_MS } from './async-refunds.ts'
import { REFUND_FAILS_AFTER_MS } from './payments.ts'
import { testValueRows } from './test-cards.ts'
import { failure, LEGACY_VERSION, useHarness } from './test-support.ts'
import { TEST_CARDS, TEST_TOKENS } from './test-values.ts'

/**
 * Every documented test value standin models, one test per row of the README
 * table, driven through the official library in the bundled spec's version
 * (so every answer is also checked against the spec).
 */
const h = useHarness()

const rows = testValueRows(TEST_CARDS, TEST_TOKENS)

/** The PaymentMethod a value names: a number or a tok_ becomes a new one, a pm_card_ token is used as is. */
async function methodOf(s: Stripe, value: string): Promise<string> {
  if (value.startsWith('pm_')) return value
  const card = value.startsWith('tok_')
    ? { token: value }
    : { number: value, exp_month: 12, exp_year: 2034, cvc: '123' }
  return (await s.paymentMethods.create({ type: 'card', card })).id
}

const pay = (s: Stripe, pm: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  s.paymentIntents.create({ amount: 4200, currency: 'usd', payment_method: pm, confirm: true, ...extra })

describe('the README lists every test value', () => {
  it('has one table row per value', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
    // A table cell, however the formatter pads the column.
    const missing = rows
      .filter((r) => !new RegExp(`\\| \`${r.value}\` +\\|`).test(readme))
      .map((r) => r.value)
    expect(missing).toEqual([])
  })
})

describe.each(rows.map((r) => [r.value, r] as const))('test value %s', (_value, row) => {
  it(`does what Stripe documents (${row.expect.kind})`, async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const e = row.expect
    if (e.kind === 'incorrect_number') {
      const error = await failure(methodOf(s, row.value))
      expect(error.code).toBe('incorrect_number')
      return
    }
    const pm = await methodOf(s, row.value)
    switch (e.kind) {
      case 'succeed': {
        const pi = await pay(s, pm, { expand: ['latest_charge'] })
        expect(pi.status).toBe('succeeded')
        const card = (pi.latest_charge as Stripe.Charge).payment_method_details!.card!
        expect({ brand: card.brand, funding: card.funding }).toEqual({ brand: e.brand, funding: e.funding })
        return
      }
      case 'decline': {
        const error = await failure(pay(s, pm))
        expect({ code: error.code, decline_code: error.decline_code }).toEqual({
          code: e.code,
          decline_code: e.declineCode,
        })
        return
      }
      case 'attach-then-fail': {
        const customer = await s.customers.create({ payment_method: pm })
        const attached = (await s.customers.listPaymentMethods(customer.id)).data[0]!
        const error = await failure(pay(s, attached.id, { customer: customer.id }))
        expect(error.code).toBe('card_declined')
        return
      }
      case 'authenticate':
      case 'authenticate-on-session': {
        const pi = await pay(s, pm)
        expect(pi.status).toBe('requires_action')
        return
      }
      case 'dispute': {
        const pi = await pay(s, pm)
        expect(pi.status).toBe('succeeded')
        const disputes = await s.disputes.list({ payment_intent: pi.id })
        expect(disputes.data.map((d) => [d.reason, d.status, d.charge])).toEqual([
          [e.reason, e.status, pi.latest_charge],
        ])
        return
      }
      case 'refund-fails':
      case 'refund-pending': {
        const pi = await pay(s, pm)
        const refund = await s.refunds.create({ payment_intent: pi.id })
        expect(refund.status).toBe(e.kind === 'refund-fails' ? 'succeeded' : 'pending')
        h.sims.core.clock.advance(Math.max(REFUND_FAILS_AFTER_MS, REFUND_SETTLES_AFTER_MS) + 1000)
        expect((await s.refunds.retrieve(refund.id)).status).toBe(
          e.kind === 'refund-fails' ? 'failed' : 'succeeded',
        )
        return
      }
      case 'bypass-pending': {
        const pi = await pay(s, pm, { expand: ['latest_charge.balance_transaction'] })
        const txn = (pi.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction
        expect({ status: txn.status, available_on: txn.available_on }).toEqual({
          status: 'available',
          available_on: txn.created,
        })
        return
      }
      case 'risk': {
        const pi = await pay(s, pm, { expand: ['latest_charge'] })
        expect(pi.status).toBe('succeeded')
        expect((pi.latest_charge as Stripe.Charge).outcome?.risk_level).toBe(e.level)
        return
      }
      case 'checks': {
        const pi = await pay(s, pm, { expand: ['latest_charge'] })
        const checks = (pi.latest_charge as Stripe.Charge).payment_method_details!.card!.checks!
        if (e.cvc) expect(checks.cvc_check).toBe(e.cvc)
        if (e.postalCode) expect(checks.address_postal_code_check).toBe(e.postalCode)
        if (e.line1) expect(checks.address_line1_check).toBe(e.line1)
        return
      }
    }
  })
})
