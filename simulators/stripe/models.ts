import { z } from 'zod'
import { fail } from './errors.ts'

/**
 * The stored objects. Each is kept in one internal shape holding the fields of
 * both API versions standin answers in (codec.ts drops what a version lacks);
 * the schemas name the fields the simulator reads and writes, the rest of the
 * wire object comes from spec.ts `blank()`.
 */
const Base = { id: z.string(), object: z.string(), created: z.number(), livemode: z.boolean() }
const Metadata = z.record(z.string(), z.string())

export const Customer = z.looseObject({
  ...Base,
  object: z.literal('customer'),
  email: z.string().nullable(),
  name: z.string().nullable(),
  metadata: Metadata,
  test_clock: z.string().nullable(),
  invoice_settings: z.looseObject({ default_payment_method: z.string().nullable() }),
  deleted: z.boolean().optional(),
})
export type Customer = z.infer<typeof Customer>

export const PaymentMethod = z.looseObject({
  ...Base,
  object: z.literal('payment_method'),
  type: z.enum(['card', 'us_bank_account']),
  customer: z.string().nullable(),
  // Absent on bank accounts; the simulator only reads it for cards.
  card: z.looseObject({ brand: z.string(), last4: z.string(), exp_month: z.number(), exp_year: z.number() }),
  metadata: Metadata,
})
export type PaymentMethod = z.infer<typeof PaymentMethod> & {
  /** The test card number behind a card ('' for a bank account). */
  _number: string
  /** The test token behind a bank account, which decides how its debits settle. */
  _bank?: string
  us_bank_account?: Record<string, unknown>
}

export const PaymentIntentStatus = z.enum([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
])
export const PaymentIntent = z.looseObject({
  ...Base,
  object: z.literal('payment_intent'),
  amount: z.number(),
  amount_capturable: z.number(),
  amount_received: z.number(),
  currency: z.string(),
  customer: z.string().nullable(),
  payment_method: z.string().nullable(),
  status: PaymentIntentStatus,
  capture_method: z.enum(['automatic', 'automatic_async', 'manual']),
  latest_charge: z.string().nullable(),
  last_payment_error: z.record(z.string(), z.unknown()).nullable(),
  next_action: z.record(z.string(), z.unknown()).nullable(),
  metadata: Metadata,
  invoice: z.string().nullable(),
  canceled_at: z.number().nullable(),
  cancellation_reason: z.string().nullable(),
})
export type PaymentIntent = z.infer<typeof PaymentIntent> & { _returnUrl?: string; _offSession?: boolean }

export const SetupIntent = z.looseObject({
  ...Base,
  object: z.literal('setup_intent'),
  customer: z.string().nullable(),
  payment_method: z.string().nullable(),
  status: z.enum([
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'canceled',
    'succeeded',
  ]),
  last_setup_error: z.record(z.string(), z.unknown()).nullable(),
  next_action: z.record(z.string(), z.unknown()).nullable(),
  usage: z.enum(['on_session', 'off_session']),
  metadata: Metadata,
})
export type SetupIntent = z.infer<typeof SetupIntent> & { _returnUrl?: string }

export const Charge = z.looseObject({
  ...Base,
  object: z.literal('charge'),
  amount: z.number(),
  amount_captured: z.number(),
  amount_refunded: z.number(),
  captured: z.boolean(),
  refunded: z.boolean(),
  paid: z.boolean(),
  status: z.enum(['succeeded', 'pending', 'failed']),
  currency: z.string(),
  payment_intent: z.string().nullable(),
  customer: z.string().nullable(),
  refunds: z.looseObject({ data: z.array(z.unknown()) }),
})
export type Charge = z.infer<typeof Charge>

export const Refund = z.looseObject({
  ...Base,
  // Refunds carry no livemode field in the 2023-08-16 spec.
  livemode: z.boolean().optional(),
  object: z.literal('refund'),
  amount: z.number(),
  charge: z.string(),
  payment_intent: z.string().nullable(),
  status: z.string(),
})
export type Refund = z.infer<typeof Refund>

export const Product = z.looseObject({
  ...Base,
  object: z.literal('product'),
  name: z.string(),
  active: z.boolean(),
})
export type Product = z.infer<typeof Product>

export const Price = z.looseObject({
  ...Base,
  object: z.literal('price'),
  product: z.string(),
  currency: z.string(),
  unit_amount: z.number().nullable(),
  type: z.enum(['one_time', 'recurring']),
  recurring: z
    .looseObject({ interval: z.enum(['day', 'week', 'month', 'year']), interval_count: z.number() })
    .nullable(),
  lookup_key: z.string().nullable(),
  active: z.boolean(),
})
export type Price = z.infer<typeof Price>

export const CheckoutSession = z.looseObject({
  ...Base,
  object: z.literal('checkout.session'),
  mode: z.enum(['payment', 'subscription', 'setup']),
  status: z.enum(['open', 'complete', 'expired']),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  amount_total: z.number().nullable(),
  currency: z.string().nullable(),
  customer: z.string().nullable(),
  customer_email: z.string().nullable(),
  success_url: z.string().nullable(),
  cancel_url: z.string().nullable(),
  url: z.string().nullable(),
  payment_intent: z.string().nullable(),
  subscription: z.string().nullable(),
  invoice: z.string().nullable(),
  expires_at: z.number(),
  metadata: Metadata,
})
export type CheckoutSession = z.infer<typeof CheckoutSession> & {
  _lineItems: { price: string; quantity: number; amount: number; currency: string }[]
  _piData: { metadata?: Record<string, string>; capture_method?: string }
  _subData: { metadata?: Record<string, string>; trial_period_days?: number }
  _error?: string
}

export const SubscriptionStatus = z.enum([
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
])
export const SubscriptionItem = z.looseObject({
  id: z.string(),
  object: z.literal('subscription_item'),
  /** Stripe embeds the whole Price here, not its id. */
  price: Price,
  quantity: z.number(),
  subscription: z.string(),
  current_period_start: z.number(),
  current_period_end: z.number(),
})
export type SubscriptionItem = z.infer<typeof SubscriptionItem>
export const Subscription = z.looseObject({
  ...Base,
  object: z.literal('subscription'),
  customer: z.string(),
  status: SubscriptionStatus,
  items: z.looseObject({ data: z.array(SubscriptionItem) }),
  current_period_start: z.number(),
  current_period_end: z.number(),
  latest_invoice: z.string().nullable(),
  default_payment_method: z.string().nullable(),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.number().nullable(),
  ended_at: z.number().nullable(),
  trial_end: z.number().nullable(),
  metadata: Metadata,
  test_clock: z.string().nullable(),
})
export type Subscription = z.infer<typeof Subscription> & {
  /** customer.subscription.trial_will_end was sent for the current trial. */
  _trialWillEndSent?: boolean
}

export const Invoice = z.looseObject({
  ...Base,
  object: z.literal('invoice'),
  customer: z.string(),
  subscription: z.string().nullable(),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']),
  amount_due: z.number(),
  amount_paid: z.number(),
  amount_remaining: z.number(),
  attempt_count: z.number(),
  attempted: z.boolean(),
  next_payment_attempt: z.number().nullable(),
  payment_intent: z.string().nullable(),
  charge: z.string().nullable(),
  paid: z.boolean(),
  billing_reason: z.string().nullable(),
  period_start: z.number(),
  period_end: z.number(),
  currency: z.string(),
  test_clock: z.string().nullable(),
})
export type Invoice = z.infer<typeof Invoice> & {
  _payments: string[]
  /** When a draft is finalized on its own (a renewal an hour after it is made; auto_advance); null: not. */
  _finalizeAt?: number | null
  /** `days_until_due` of a send_invoice draft, applied when it is finalized. */
  _daysUntilDue?: number
}

export const InvoicePayment = z.looseObject({
  ...Base,
  object: z.literal('invoice_payment'),
  invoice: z.string(),
  status: z.string(),
  amount_paid: z.number().nullable(),
})
export type InvoicePayment = z.infer<typeof InvoicePayment>

export const TestClock = z.looseObject({
  ...Base,
  object: z.literal('test_helpers.test_clock'),
  frozen_time: z.number(),
  status: z.enum(['advancing', 'internal_failure', 'ready']),
  name: z.string().nullable(),
})
export type TestClock = z.infer<typeof TestClock>

export const StripeEvent = z.looseObject({
  ...Base,
  object: z.literal('event'),
  type: z.string(),
  data: z.looseObject({
    object: z.record(z.string(), z.unknown()),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
  request: z.looseObject({ id: z.string().nullable(), idempotency_key: z.string().nullable() }).nullable(),
})
export type StripeEvent = z.infer<typeof StripeEvent>

export const WebhookEndpointObject = z.looseObject({
  ...Base,
  object: z.literal('webhook_endpoint'),
  url: z.string(),
  enabled_events: z.array(z.string()),
  api_version: z.string().nullable(),
  status: z.enum(['enabled', 'disabled']),
  metadata: Metadata,
})
export type WebhookEndpointObject = z.infer<typeof WebhookEndpointObject>

export const Dispute = z.looseObject({
  ...Base,
  object: z.literal('dispute'),
  amount: z.number(),
  charge: z.string(),
  currency: z.string(),
  status: z.enum([
    'warning_needs_response',
    'warning_under_review',
    'warning_closed',
    'needs_response',
    'under_review',
    'won',
    'lost',
  ]),
  reason: z.string(),
  is_charge_refundable: z.boolean(),
  balance_transactions: z.array(z.unknown()),
  evidence: z.record(z.string(), z.unknown()),
  evidence_details: z.looseObject({ has_evidence: z.boolean(), submission_count: z.number() }),
  metadata: Metadata,
})
export type Dispute = z.infer<typeof Dispute>

export const BalanceTransaction = z.looseObject({
  id: z.string(),
  object: z.literal('balance_transaction'),
  created: z.number(),
  amount: z.number(),
  fee: z.number(),
  net: z.number(),
  currency: z.string(),
  available_on: z.number(),
  status: z.enum(['available', 'pending']),
  type: z.string(),
  reporting_category: z.string(),
  source: z.string().nullable(),
})
export type BalanceTransaction = z.infer<typeof BalanceTransaction> & {
  /** The payout that paid this transaction out (`GET /v1/balance_transactions?payout=`). */
  _payout?: string
}

/** A connected account (Connect), stored on its platform. */
export const ConnectedAccount = z.looseObject({
  id: z.string(),
  object: z.literal('account'),
  created: z.number(),
  type: z.enum(['express', 'custom', 'standard']),
  charges_enabled: z.boolean(),
  payouts_enabled: z.boolean(),
  details_submitted: z.boolean(),
  metadata: Metadata,
  deleted: z.boolean().optional(),
})
export type ConnectedAccount = z.infer<typeof ConnectedAccount>

export const Transfer = z.looseObject({
  ...Base,
  object: z.literal('transfer'),
  amount: z.number(),
  amount_reversed: z.number(),
  currency: z.string(),
  destination: z.string(),
  reversed: z.boolean(),
  reversals: z.looseObject({ data: z.array(z.unknown()) }),
  metadata: Metadata,
})
export type Transfer = z.infer<typeof Transfer>

export const Payout = z.looseObject({
  ...Base,
  object: z.literal('payout'),
  amount: z.number(),
  currency: z.string(),
  status: z.enum(['pending', 'in_transit', 'paid', 'failed', 'canceled']),
  automatic: z.boolean(),
  arrival_date: z.number(),
  metadata: Metadata,
})
export type Payout = z.infer<typeof Payout>

export const ApplicationFee = z.looseObject({
  ...Base,
  object: z.literal('application_fee'),
  account: z.string(),
  amount: z.number(),
  amount_refunded: z.number(),
  charge: z.string(),
  currency: z.string(),
  refunded: z.boolean(),
})
export type ApplicationFee = z.infer<typeof ApplicationFee>

// ------------------------------------------------------------ transitions

const PI_CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
]

function unexpectedState(pi: PaymentIntent, message: string): never {
  return fail(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    // Rendered in the request's version by auth.ts finalize.
    payment_intent: pi,
  })
}

/** Confirm is allowed from requires_payment_method (with a PM given), requires_confirmation and requires_action. */
export function assertConfirmable(pi: PaymentIntent): void {
  if (pi.status === 'succeeded')
    unexpectedState(
      pi,
      'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
    )
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status))
    unexpectedState(
      pi,
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.`,
    )
}

export function assertCapturable(pi: PaymentIntent): void {
  if (pi.status !== 'requires_capture')
    unexpectedState(
      pi,
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    )
}

export function assertCancelable(pi: PaymentIntent): void {
  if (!PI_CANCELABLE.includes(pi.status))
    unexpectedState(
      pi,
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${PI_CANCELABLE.join(', ')}.`,
    )
}

export function assertSessionExpirable(session: CheckoutSession): void {
  if (session.status !== 'open')
    fail(400, {
      type: 'invalid_request_error',
      message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    })
}

export function assertInvoicePayable(invoice: Invoice): void {
  if (invoice.status === 'paid')
    fail(400, {
      type: 'invalid_request_error',
      message: 'Invoice is already paid',
    })
  // An uncollectible invoice can still be paid (Stripe: it moves to paid).
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
    fail(400, {
      type: 'invalid_request_error',
      message: `You can only pay an invoice whose status is open. This invoice has a status of ${invoice.status}.`,
    })
}

export function assertSubscriptionActive(sub: Subscription): void {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
    fail(400, {
      type: 'invalid_request_error',
      message: `A canceled subscription can only update its cancellation_details and metadata.`,
    })
}
