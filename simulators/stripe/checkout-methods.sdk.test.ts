import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { LEGACY_VERSION, PINNED_VERSION, useHarness } from './test-support.ts'

/** Checkout refuses at creation the payment method types its hosted page cannot pay (no half-support). */
const h = useHarness()

describe.each([LEGACY_VERSION, PINNED_VERSION])('Checkout payment method types in %s', (version) => {
  const session = (s: Stripe, types: string[]) =>
    // stripe 23.1.0's types no longer list payment_method_types; the API (and standin) still take it.
    s.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/ok',
      payment_method_types: types,
      line_items: [
        {
          price_data: { currency: 'eur', unit_amount: 1500, product_data: { name: 'Credits' } },
          quantity: 1,
        },
      ],
    } as unknown as Stripe.Checkout.SessionCreateParams)

  it.each([['sepa_debit'], ['card', 'sepa_debit'], ['us_bank_account']])(
    'refuses %s with the answer for a type the account has not activated',
    async (...types) => {
      const s = h.client({ version })
      const error = await session(s, types).then(
        () => undefined,
        (e: Stripe.errors.StripeError) => e,
      )
      expect(error?.statusCode).toBe(400)
      expect(error?.type).toBe('StripeInvalidRequestError')
      expect(error?.param).toBe('payment_method_types')
      expect(error?.message).toMatch(/^The payment method type "(sepa_debit|us_bank_account)" is invalid\./)
    },
  )

  it('accepts card, the type the hosted page pays with', async () => {
    const s = h.client({ version })
    const created = await session(s, ['card'])
    expect((created as unknown as { payment_method_types: string[] }).payment_method_types).toEqual(['card'])
    expect(created.url).toContain('/c/pay/')
  })
})
