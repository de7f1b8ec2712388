import type { Customer } from './models.ts'
import { withBlank } from './spec.ts'
import type { StripeContext } from './state.ts'

/**
 * A new Customer as Stripe makes one, before it is stored: no balance, no
 * discount, no payment method, English defaults. The API, a Checkout buyer and
 * `stripe trigger` all start from it; `fields` are what each one knows.
 * Minting order: the id, then the invoice prefix.
 */
export function newCustomer(ctx: StripeContext, fields: Partial<Customer>): Customer {
  const id = ctx.ids.mint('cus_', 14)
  const invoicePrefix = ctx.ids.mint('', 8).toUpperCase()
  return withBlank('customer', {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created: 0,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: invoicePrefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
    ...fields,
  }) as Customer
}
