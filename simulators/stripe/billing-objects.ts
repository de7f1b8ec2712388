import type { Price } from './models.ts'

/**
 * The stored billing objects that have no zod schema (coupons, discounts,
 * credit notes, tax rates, invoice items, schedules, plans, payment links,
 * the billing portal): their shapes, apart from the files that change them so
 * that state.ts can name them without importing any behaviour.
 */
/**
 * Coupons, promotion codes and the Discounts they become when redeemed on a
 * customer, a subscription, an invoice or an invoice item. A Discount is
 * stored once with both wire shapes: `coupon` (embedded, before
 * 2025-09-30.clover) and `source.coupon` (an id, from clover); codec.ts keeps
 * the one the request's version has.
 */
export interface Coupon {
  id: string
  object: 'coupon'
  amount_off: number | null
  created: number
  currency: string | null
  duration: 'forever' | 'once' | 'repeating'
  duration_in_months: number | null
  livemode: boolean
  max_redemptions: number | null
  metadata: Record<string, string>
  name: string | null
  percent_off: number | null
  redeem_by: number | null
  times_redeemed: number
  valid: boolean
  applies_to?: { products: string[] }
  _deleted?: boolean
}

export interface PromotionCode {
  id: string
  object: 'promotion_code'
  active: boolean
  code: string
  /** Before clover: the coupon, embedded. */
  coupon: Coupon
  /** From clover: `{ coupon: id, type: 'coupon' }`. */
  promotion: { coupon: string; type: 'coupon' }
  created: number
  customer: string | null
  expires_at: number | null
  livemode: boolean
  max_redemptions: number | null
  metadata: Record<string, string>
  restrictions: {
    first_time_transaction: boolean
    minimum_amount: number | null
    minimum_amount_currency: string | null
  }
  times_redeemed: number
}

export interface Discount {
  id: string
  object: 'discount'
  checkout_session: string | null
  coupon: Coupon
  source: { coupon: string; type: 'coupon' }
  customer: string | null
  end: number | null
  invoice: string | null
  invoice_item: string | null
  promotion_code: string | null
  start: number
  subscription: string | null
  subscription_item: string | null
  /** Set once a `once` discount has been applied to a finalized invoice. */
  _spent?: boolean
}

/**
 * Credit notes: a credit on an open invoice lowers what is due
 * (`pre_payment`; crediting all that remains settles it); on a paid invoice
 * (`post_payment`) the amount is refunded to the card, credited to the
 * customer's balance or settled out of band. Voiding undoes the credit.
 */
export interface CreditNote {
  id: string
  object: 'credit_note'
  amount: number
  amount_shipping: number
  created: number
  currency: string
  customer: string
  customer_balance_transaction: null
  discount_amount: number
  discount_amounts: { amount: number; discount: string }[]
  effective_at: number | null
  invoice: string
  lines: { object: 'list'; data: Record<string, unknown>[]; has_more: boolean; url: string }
  livemode: boolean
  memo: string | null
  metadata: Record<string, string>
  number: string
  out_of_band_amount: number | null
  pdf: string
  reason: string | null
  refund: string | null
  shipping_cost: null
  status: 'issued' | 'void'
  subtotal: number
  subtotal_excluding_tax: number | null
  tax_amounts: unknown[]
  total: number
  total_excluding_tax: number | null
  type: 'post_payment' | 'pre_payment'
  voided_at: number | null
  refunds: { amount_refunded: number; refund: string }[]
  total_taxes: unknown[]
  pre_payment_amount: number
  post_payment_amount: number
  pretax_credit_amounts: unknown[]
  _credit: number
}

export interface TaxRate {
  id: string
  object: 'tax_rate'
  active: boolean
  country: string | null
  created: number
  description: string | null
  display_name: string
  effective_percentage: number | null
  inclusive: boolean
  jurisdiction: string | null
  jurisdiction_level: string | null
  livemode: boolean
  metadata: Record<string, string>
  percentage: number
  state: string | null
  tax_type: string | null
}

export interface InvoiceItem {
  id: string
  object: 'invoiceitem'
  amount: number
  currency: string
  customer: string
  date: number
  description: string | null
  discountable: boolean
  discounts: string[]
  invoice: string | null
  livemode: boolean
  metadata: Record<string, string>
  period: { start: number; end: number }
  price: Price | null
  proration: boolean
  quantity: number
  subscription: string | null
  subscription_item: string | null
  tax_rates: TaxRate[]
  test_clock: string | null
  unit_amount: number | null
  unit_amount_decimal: string | null
  parent: { subscription_details: { subscription: string } | null; type: 'subscription_details' } | null
  pricing: {
    price_details?: { price: string; product: string }
    type: 'price_details'
    unit_amount_decimal: string | null
  }
  proration_details: { credited_items: null; discount_amounts: unknown[] }
  _lineId: string
}

/**
 * Subscription schedules: phases of prices over time. A schedule starting
 * now (or in the past) creates its subscription at once; one starting later
 * is `not_started` until its start date on the clock. At the end of a phase
 * the subscription moves to the next phase's prices at its renewal; after the
 * last phase, `end_behavior` releases the subscription or cancels it.
 */
export interface SchedulePhase {
  add_invoice_items: unknown[]
  application_fee_percent: null
  billing_cycle_anchor: null
  billing_thresholds: null
  collection_method: null
  coupon: null
  currency: string
  default_payment_method: string | null
  default_tax_rates: unknown[]
  description: null
  end_date: number
  invoice_settings: null
  items: {
    billing_thresholds: null
    metadata: Record<string, string>
    price: string
    quantity: number
    tax_rates: unknown[]
  }[]
  metadata: Record<string, string>
  on_behalf_of: null
  proration_behavior: 'create_prorations'
  start_date: number
  transfer_data: null
  trial_end: number | null
}

export interface Schedule {
  id: string
  object: 'subscription_schedule'
  application: null
  canceled_at: number | null
  completed_at: number | null
  created: number
  current_phase: { start_date: number; end_date: number } | null
  customer: string
  default_settings: Record<string, unknown>
  end_behavior: 'cancel' | 'none' | 'release' | 'renew'
  livemode: boolean
  metadata: Record<string, string>
  phases: SchedulePhase[]
  released_at: number | null
  released_subscription: string | null
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled'
  subscription: string | null
  test_clock: string | null
}

/**
 * Plans, the older form of recurring Prices. As in Stripe, a plan and a
 * price share one id: creating a plan creates the recurring Price a
 * subscription names in `items[][price]`, and the two stay in step.
 */
export interface Plan {
  id: string
  object: 'plan'
  active: boolean
  aggregate_usage: null
  amount: number | null
  amount_decimal: string | null
  billing_scheme: 'per_unit'
  created: number
  currency: string
  interval: 'day' | 'week' | 'month' | 'year'
  interval_count: number
  livemode: boolean
  metadata: Record<string, string>
  nickname: string | null
  product: string
  tiers_mode: null
  transform_usage: null
  trial_period_days: number | null
  usage_type: 'licensed' | 'metered'
}

/**
 * Payment links: a `url` standin serves; opening it creates a Checkout
 * Session from the link (through the Checkout Sessions API's own code, with
 * `payment_link` set) and sends the browser to the hosted Checkout page,
 * which completes it like any session. After payment the browser goes to
 * `after_completion.redirect.url`, or to a confirmation page.
 */
export interface PaymentLink {
  id: string
  object: 'payment_link'
  active: boolean
  after_completion: {
    type: 'hosted_confirmation' | 'redirect'
    hosted_confirmation?: { custom_message: string | null }
    redirect?: { url: string }
  }
  currency: string
  metadata: Record<string, string>
  url: string
  [field: string]: unknown
  _lineItems: { price: string; quantity: number }[]
}

/**
 * The customer portal: configurations (which features the portal offers),
 * sessions whose `url` is a page standin serves (the customer's
 * subscriptions, cancel where the configuration allows it, invoice history,
 * a link back to `return_url`).
 */
export interface PortalConfiguration {
  id: string
  object: 'billing_portal.configuration'
  active: boolean
  business_profile: Record<string, unknown>
  created: number
  default_return_url: string | null
  features: Record<string, Record<string, unknown>>
  is_default: boolean
  livemode: boolean
  login_page: { enabled: boolean; url: string | null }
  metadata: Record<string, string>
  updated: number
}

export interface PortalSession {
  id: string
  object: 'billing_portal.session'
  configuration: string
  created: number
  customer: string
  flow: null
  livemode: boolean
  locale: string | null
  on_behalf_of: null
  return_url: string | null
  url: string
}
