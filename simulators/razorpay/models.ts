import { createHash } from 'node:crypto'
import { z } from 'zod'
import { BoundedMap, Collection } from '../core/store.ts'
import { type BillingState, createBillingState } from './billing-models.ts'
import { fail, MESSAGES, type PaymentFailure } from './errors.ts'

/**
 * The stored objects are the wire objects: what a fetch returns is what is
 * stored. Side data Razorpay keeps but does not show (the order's capture
 * setting, a payment's card) lives in maps beside them.
 */

/** Razorpay serialises empty notes as `[]` (a PHP empty array), non-empty ones as an object. */
export const WireNotes = z.union([z.record(z.string(), z.unknown()), z.array(z.never()).length(0)])
export type WireNotes = z.infer<typeof WireNotes>

export function wireNotes(notes: Record<string, unknown> | undefined): WireNotes {
  return notes && Object.keys(notes).length > 0 ? { ...notes } : []
}

export const OrderStatus = z.enum(['created', 'attempted', 'paid'])
export const Order = z.object({
  id: z.string(),
  entity: z.literal('order'),
  amount: z.number().int(),
  amount_paid: z.number().int(),
  amount_due: z.number().int(),
  currency: z.string(),
  receipt: z.string().nullable(),
  offer_id: z.null(),
  status: OrderStatus,
  attempts: z.number().int(),
  notes: WireNotes,
  created_at: z.number().int(),
})
export type Order = z.infer<typeof Order>

export const PaymentMethod = z.enum(['card', 'upi', 'netbanking', 'wallet'])
export type PaymentMethod = z.infer<typeof PaymentMethod>
export const PaymentStatus = z.enum(['created', 'authorized', 'captured', 'refunded', 'failed'])

export const Card = z.object({
  id: z.string(),
  entity: z.literal('card'),
  name: z.string(),
  last4: z.string(),
  network: z.string(),
  type: z.enum(['credit', 'debit', 'prepaid', 'unknown']),
  issuer: z.string().nullable(),
  international: z.boolean(),
  emi: z.boolean(),
  sub_type: z.string(),
  token_iin: z.null(),
})
export type Card = z.infer<typeof Card>

export const Payment = z.object({
  id: z.string(),
  entity: z.literal('payment'),
  amount: z.number().int(),
  currency: z.string(),
  status: PaymentStatus,
  order_id: z.string().nullable(),
  invoice_id: z.null(),
  international: z.boolean(),
  method: PaymentMethod,
  amount_refunded: z.number().int(),
  refund_status: z.enum(['partial', 'full']).nullable(),
  captured: z.boolean(),
  description: z.string().nullable(),
  card_id: z.string().nullable(),
  card: Card.optional(),
  bank: z.string().nullable(),
  wallet: z.string().nullable(),
  vpa: z.string().nullable(),
  email: z.string(),
  contact: z.string(),
  notes: WireNotes,
  fee: z.number().int().nullable(),
  tax: z.number().int().nullable(),
  error_code: z.string().nullable(),
  error_description: z.string().nullable(),
  error_source: z.string().nullable(),
  error_step: z.string().nullable(),
  error_reason: z.string().nullable(),
  acquirer_data: z.record(z.string(), z.string().nullable()),
  created_at: z.number().int(),
})
export type Payment = z.infer<typeof Payment>

/** What a new payment is made from: the rest starts as every new payment does. */
export type NewPayment = Pick<
  Payment,
  | 'id'
  | 'amount'
  | 'currency'
  | 'order_id'
  | 'international'
  | 'method'
  | 'description'
  | 'card_id'
  | 'bank'
  | 'wallet'
  | 'vpa'
  | 'email'
  | 'contact'
  | 'notes'
  | 'created_at'
>

/** A payment just made (checkout or a subscription's charge): `created`, nothing refunded, no error, no fee yet. */
export function newPayment(fields: NewPayment): Payment {
  return {
    id: fields.id,
    entity: 'payment',
    amount: fields.amount,
    currency: fields.currency,
    status: 'created',
    order_id: fields.order_id,
    invoice_id: null,
    international: fields.international,
    method: fields.method,
    amount_refunded: 0,
    refund_status: null,
    captured: false,
    description: fields.description,
    card_id: fields.card_id,
    bank: fields.bank,
    wallet: fields.wallet,
    vpa: fields.vpa,
    email: fields.email,
    contact: fields.contact,
    notes: fields.notes,
    fee: null,
    tax: null,
    error_code: null,
    error_description: null,
    error_source: null,
    error_step: null,
    error_reason: null,
    acquirer_data: {},
    created_at: fields.created_at,
  }
}

/** The card record a payment by card keeps (a consumer card, no EMI). */
export function newCard(
  fields: Pick<Card, 'id' | 'name' | 'last4' | 'network' | 'type' | 'issuer' | 'international'>,
): Card {
  return {
    id: fields.id,
    entity: 'card',
    name: fields.name,
    last4: fields.last4,
    network: fields.network,
    type: fields.type,
    issuer: fields.issuer,
    international: fields.international,
    emi: false,
    sub_type: 'consumer',
    token_iin: null,
  }
}

export const Refund = z.object({
  id: z.string(),
  entity: z.literal('refund'),
  amount: z.number().int(),
  receipt: z.string().nullable(),
  currency: z.string(),
  payment_id: z.string(),
  notes: WireNotes,
  acquirer_data: z.object({ arn: z.string().nullable() }),
  created_at: z.number().int(),
  batch_id: z.null(),
  status: z.enum(['pending', 'processed', 'failed']),
  speed_processed: z.enum(['normal', 'instant']),
  speed_requested: z.enum(['normal', 'optimum']),
})
export type Refund = z.infer<typeof Refund>

export type CaptureMode = 'automatic' | 'manual'

export interface RazorpayState {
  keyId: string
  /** Set by the first authenticated request for this key id (see auth.ts). */
  keySecret: string | undefined
  /** The merchant account id webhooks carry as `account_id`. */
  accountId: string
  orders: Collection<Order>
  payments: Collection<Payment>
  refunds: Collection<Refund>
  /** Cards by card id (shown on `expand[]=card`, in webhooks, and at /payments/:id/card). */
  cards: Map<string, Card>
  /** Full card numbers by payment id: the hosted flow needs them to play a test card's outcome; the API shows last4 only. */
  cardNumbers: Map<string, string>
  /** Each order's `payment.capture` setting. */
  captureMode: Map<string, CaptureMode>
  /** Auto-refund timers of authorized, uncaptured payments. */
  expiry: Map<string, { cancel(): void }>
  /** Customers, Plans, Subscriptions and Payment Links (billing-models.ts). */
  billing: BillingState
}

export function createState(keyId: string): RazorpayState {
  return {
    keyId,
    keySecret: undefined,
    accountId: accountIdFor(keyId),
    orders: new Collection<Order>(),
    payments: new Collection<Payment>(),
    refunds: new Collection<Refund>(),
    // Bounded as the collections are (one entry per payment or order), so a soak keeps memory flat.
    cards: new BoundedMap(),
    cardNumbers: new BoundedMap(),
    captureMode: new BoundedMap(),
    expiry: new Map(),
    billing: createBillingState(),
  }
}

/** A stable `acc_` id per key id, so webhooks of one key always name the same merchant. */
function accountIdFor(keyId: string): string {
  const digest = createHash('sha256')
    .update(keyId)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
  return `acc_${digest.slice(0, 14)}`
}

// ------------------------------------------------------------ transitions

/** A payment attempt on an order: created → attempted. A paid order takes no more payments. */
export function attemptOrder(order: Order, payments: Payment[]): void {
  if (order.status === 'paid') fail({ description: MESSAGES.orderPaid, field: null })
  if (payments.some((p) => p.order_id === order.id && p.status === 'authorized'))
    fail({ description: 'Payment is already in progress for this order', field: null })
  order.attempts += 1
  if (order.status === 'created') order.status = 'attempted'
}

/** created → authorized, and failed → authorized (a late authorisation). */
export function authorize(payment: Payment): void {
  if (payment.status !== 'created' && payment.status !== 'failed')
    fail({ description: 'The payment has already been processed' })
  payment.status = 'authorized'
  for (const key of [
    'error_code',
    'error_description',
    'error_source',
    'error_step',
    'error_reason',
  ] as const)
    payment[key] = null
}

/** created → failed, with the error fields Razorpay flattens onto the payment. */
export function failPayment(payment: Payment, failure: PaymentFailure): void {
  if (payment.status !== 'created') fail({ description: 'The payment has already been processed' })
  payment.status = 'failed'
  payment.error_code = failure.code
  payment.error_description = failure.description
  payment.error_source = failure.source
  payment.error_step = failure.step
  payment.error_reason = failure.reason
}

/** authorized → captured, only for the authorised amount and currency. */
export function capture(payment: Payment, amount: number, currency: string | undefined): void {
  if (payment.status === 'captured' || payment.status === 'refunded' || payment.captured)
    fail({ description: MESSAGES.alreadyCaptured })
  if (payment.status !== 'authorized') fail({ description: MESSAGES.captureNotAuthorized })
  if (currency !== undefined && currency !== payment.currency)
    fail({ description: MESSAGES.captureCurrency, field: 'currency' })
  if (amount !== payment.amount) fail({ description: MESSAGES.captureAmount, field: 'amount' })
  payment.status = 'captured'
  payment.captured = true
  // Standard pricing: 2% fee plus 18% GST on it; `fee` includes the tax (sample: amount 1000 → fee 24, tax 4).
  const base = Math.round(payment.amount * 0.02)
  payment.tax = Math.round(base * 0.18)
  payment.fee = base + payment.tax
}

/** attempted → paid once a payment of it is captured; the order stays paid even after refunds. */
export function markPaid(order: Order, amount: number): void {
  order.amount_paid += amount
  order.amount_due = Math.max(0, order.amount - order.amount_paid)
  order.status = 'paid'
}

/** Takes `amount` off a captured payment: partial, then full (status → refunded). */
export function refundPayment(payment: Payment, amount: number): void {
  if (payment.status === 'refunded' || payment.amount_refunded >= payment.amount)
    fail({ description: MESSAGES.fullyRefunded })
  if (payment.status !== 'captured') fail({ description: MESSAGES.refundNotCaptured })
  if (amount > payment.amount - payment.amount_refunded)
    fail({ description: MESSAGES.refundTooLarge, field: 'amount' })
  payment.amount_refunded += amount
  const full = payment.amount_refunded === payment.amount
  payment.refund_status = full ? 'full' : 'partial'
  if (full) payment.status = 'refunded'
}

/** pending → failed: the bank returned the money to the merchant, so the payment's refunded amount is given back. */
export function failRefund(refund: Refund, payment: Payment): void {
  if (refund.status !== 'pending') fail({ description: 'Only pending refunds can fail' })
  refund.status = 'failed'
  payment.amount_refunded -= refund.amount
  payment.refund_status = payment.amount_refunded === 0 ? null : 'partial'
  if (payment.status === 'refunded') payment.status = 'captured'
}

/** An authorized payment never captured is refunded in full when its capture window ends. */
export function expireAuthorization(payment: Payment): boolean {
  if (payment.status !== 'authorized') return false
  payment.status = 'refunded'
  payment.amount_refunded = payment.amount
  payment.refund_status = 'full'
  return true
}
