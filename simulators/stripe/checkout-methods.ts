import { invalidRequest } from './errors.ts'

/**
 * The payment method types a Checkout Session may name. The hosted page pays
 * with cards only, so a session naming another type (`sepa_debit`,
 * `us_bank_account`, `paypal`, …) is refused at creation with the answer Stripe
 * gives for a type the account has not activated, rather than accepted and
 * left unpayable. standin's account has cards activated and nothing else.
 */
export const CHECKOUT_PAYMENT_METHOD_TYPES = ['card'] as const

export function refuseUnpayableTypes(types: string[] | undefined): void {
  for (const type of types ?? []) {
    if ((CHECKOUT_PAYMENT_METHOD_TYPES as readonly string[]).includes(type)) continue
    invalidRequest(
      `The payment method type "${type}" is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use.`,
      'payment_method_types',
    )
  }
}
