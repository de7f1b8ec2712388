import { afterRefund, refundStartsPending } from './async-refunds.ts'
import { bankDebits } from './bank-debits.ts'
import { cards } from './card-payments.ts'
import { cardOf, money } from './charges.ts'
import { settleConnectCharge } from './connect-fees.ts'
import { assertNotChargedBack, openTestDispute } from './disputes.ts'
import { declineMessage, fail, invalidRequest, resourceMissing } from './errors.ts'
import { mergeMetadata } from './metadata.ts'
import {
  assertCancelable,
  assertCapturable,
  assertConfirmable,
  type Charge,
  type Customer,
  type PaymentIntent,
  type PaymentMethod,
  type Refund,
} from './models.ts'
import type { ConfirmOptions, ConfirmOutcome, PaymentMethodKind } from './payment-method-kinds.ts'
import { withBlank } from './spec.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export { completeAuthentication, createCardPaymentMethod } from './card-payments.ts'
export { cardOf, newCharge } from './charges.ts'
export type { ConfirmOutcome } from './payment-method-kinds.ts'

/**
 * Money movement: the PaymentIntent confirm / capture / cancel machine, and
 * Refunds, with the events each step emits in Stripe's order
 * (payment_intent.created → charge.succeeded → payment_intent.succeeded).
 * Each state change checks the status it starts from, so no caller has to.
 * What differs by PaymentMethod is asked of its kind (card-payments.ts,
 * bank-debits.ts); charges are made in charges.ts.
 */
const KINDS: readonly PaymentMethodKind[] = [cards, bankDebits]

function kindOf(pm: PaymentMethod): PaymentMethodKind {
  const kind = KINDS.find((k) => k.type === pm.type)
  if (!kind) throw new Error(`no PaymentMethod kind '${pm.type}'`)
  return kind
}

/** A test token (`pm_card_*`, a bank token; cloned into a new PaymentMethod) or the id of a stored one. */
export function resolvePaymentMethod(src: EventSource, id: string, param = 'payment_method'): PaymentMethod {
  for (const kind of KINDS) {
    const pm = kind.fromToken(src, id)
    if (pm) return pm
  }
  return src.ctx.state.paymentMethods.get(id) ?? resourceMissing('PaymentMethod', id, param)
}

export function newPaymentIntent(
  src: EventSource,
  input: {
    amount: number
    currency: string
    customer?: string | null | undefined
    payment_method?: string | null | undefined
    capture_method?: 'automatic' | 'automatic_async' | 'manual' | undefined
    description?: string | null | undefined
    metadata?: Record<string, string> | undefined
    receipt_email?: string | null | undefined
    setup_future_usage?: string | null | undefined
    invoice?: string | null | undefined
    payment_method_types?: string[] | undefined
  },
): PaymentIntent {
  const { ctx } = src
  const id = ctx.ids.mint('pi_', 24)
  const pi = withBlank('payment_intent', {
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.capture_method ?? 'automatic_async',
    client_secret: `${id}_secret_${ctx.ids.mint('', 25)}`,
    confirmation_method: 'automatic',
    created: src.at,
    currency: input.currency,
    customer: input.customer ?? null,
    description: input.description ?? null,
    invoice: input.invoice ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.payment_method ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: input.payment_method_types ?? ['card'],
    processing: null,
    receipt_email: input.receipt_email ?? null,
    review: null,
    setup_future_usage: input.setup_future_usage ?? null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.payment_method ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  }) as PaymentIntent
  const min = input.currency === 'jpy' || input.currency === 'krw' ? 50 : 50
  if (input.amount < min)
    invalidRequest(
      `Amount must be at least ${money(min, input.currency)} ${input.currency}`,
      'amount',
      'amount_too_small',
    )
  ctx.state.paymentIntents.insert(pi)
  emitEvent(src, 'payment_intent.created', pi)
  return pi
}

/** Sets the PaymentMethod a PaymentIntent will be confirmed with (a test token makes a new one). */
export function attachToIntent(src: EventSource, pi: PaymentIntent, id: string): void {
  const pm = resolvePaymentMethod(src, id)
  if (pm.customer && pi.customer && pm.customer !== pi.customer)
    invalidRequest(
      `The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again.`,
      'payment_method',
    )
  pi.payment_method = pm.id
}

/**
 * Confirms from requires_payment_method, requires_confirmation or
 * requires_action (anything else is refused before anything changes), with
 * `paymentMethod` attached first when given; the PaymentMethod's kind decides
 * the outcome. On a decline the PI goes back to requires_payment_method with
 * last_payment_error set.
 */
export function confirmIntent(
  src: EventSource,
  pi: PaymentIntent,
  options: ConfirmOptions & { paymentMethod?: string | undefined } = {},
): ConfirmOutcome {
  const { ctx } = src
  assertConfirmable(pi)
  if (options.paymentMethod) attachToIntent(src, pi, options.paymentMethod)
  if (!pi.payment_method)
    fail(400, {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message:
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_..., specify a payment method attached to this customer along with the customer ID.",
    })
  const pm =
    ctx.state.paymentMethods.get(pi.payment_method!) ??
    resourceMissing('PaymentMethod', pi.payment_method!, 'payment_method')
  if (options.returnUrl) pi._returnUrl = options.returnUrl
  pi._offSession = options.offSession ?? false
  return kindOf(pm).confirm(src, pi, pm, options)
}

/** Captures an authorized (requires_capture) PaymentIntent, all or `amountToCapture` of it, updating its metadata first. */
export function captureIntent(
  src: EventSource,
  pi: PaymentIntent,
  input: { amountToCapture?: number | undefined; metadata?: Record<string, string> | '' | undefined } = {},
): void {
  assertCapturable(pi)
  const amount = input.amountToCapture ?? pi.amount_capturable
  if (amount > pi.amount_capturable || amount <= 0)
    invalidRequest(
      `The amount to capture (${amount}) must be a positive integer less than or equal to the amount capturable (${pi.amount_capturable}).`,
      'amount_to_capture',
      'amount_too_large',
    )
  const charge = src.ctx.state.charges.get(pi.latest_charge!)!
  charge.captured = true
  charge.amount_captured = amount
  charge.balance_transaction = src.ctx.ids.mint('txn_', 24)
  // A partial capture releases the rest of the authorization, which Stripe shows as refunded.
  if (amount < pi.amount) charge.amount_refunded = pi.amount - amount
  pi.metadata = mergeMetadata(pi.metadata, input.metadata)
  pi.amount_received = amount
  pi.amount_capturable = 0
  pi.status = 'succeeded'
  emitEvent(src, 'charge.captured', charge)
  const capturedPm = src.ctx.state.paymentMethods.get(charge.payment_method as string)
  settleConnectCharge(src, pi)
  if (capturedPm) openTestDispute(src, charge, capturedPm)
  emitEvent(src, 'payment_intent.succeeded', pi)
}

/** Cancels a PaymentIntent that has not succeeded (or been canceled); an authorization is released. */
export function cancelIntent(src: EventSource, pi: PaymentIntent, reason?: string | null): void {
  assertCancelable(pi)
  if (pi.status === 'requires_capture' && pi.latest_charge) {
    const charge = src.ctx.state.charges.get(pi.latest_charge)
    if (charge) {
      charge.amount_refunded = charge.amount
      charge.refunded = true
    }
  }
  pi.status = 'canceled'
  pi.amount_capturable = 0
  pi.next_action = null
  pi.canceled_at = src.at
  pi.cancellation_reason = reason ?? null
  emitEvent(src, 'payment_intent.canceled', pi)
}

export function refundCharge(
  src: EventSource,
  charge: Charge,
  input: {
    amount?: number | undefined
    reason?: string | undefined
    metadata?: Record<string, string> | undefined
  },
): Refund {
  const { ctx } = src
  if (charge.status !== 'succeeded')
    invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge')
  assertNotChargedBack(src, charge)
  const remaining = charge.amount_captured - charge.amount_refunded
  if (remaining <= 0)
    invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge', 'charge_already_refunded')
  const amount = input.amount ?? remaining
  if (amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (amount > remaining)
    invalidRequest(
      `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(remaining, charge.currency)})`,
      // Captured answers of this refusal carry no `code` (see README, verdicts).
      'amount',
    )
  const refund = withBlank('refund', {
    id: ctx.ids.mint('re_', 24),
    object: 'refund',
    amount,
    balance_transaction: ctx.ids.mint('txn_', 24),
    charge: charge.id,
    created: src.at,
    currency: charge.currency,
    metadata: input.metadata ?? {},
    payment_intent: charge.payment_intent,
    reason: input.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: refundStartsPending(ctx, charge) ? 'pending' : 'succeeded',
    transfer_reversal: null,
  }) as unknown as Refund
  ctx.state.refunds.insert(refund)
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded }
  charge.amount_refunded += amount
  charge.refunded = charge.amount_refunded >= charge.amount_captured
  charge.refunds.data.unshift(refund)
  emitEvent(src, 'refund.created', refund)
  emitEvent(src, 'charge.refunded', charge, previous)
  const pm = charge.payment_method ? ctx.state.paymentMethods.get(charge.payment_method as string) : undefined
  afterRefund(src, charge, refund)
  if (pm && cardOf(pm)?.refundFails)
    ctx.later(REFUND_FAILS_AFTER_MS, () =>
      failRefund({ ctx, at: ctx.clock.unix(), request: null }, charge, refund),
    )
  return refund
}

/** How long after a refund of card 5126 its failure arrives, in virtual time. */
export const REFUND_FAILS_AFTER_MS = 60_000

/** An asynchronous refund failure: the money goes back on the charge and refund.failed is sent. */
function failRefund(src: EventSource, charge: Charge, refund: Refund): void {
  const previous = { status: refund.status }
  refund.status = 'failed'
  refund.failure_reason = 'expired_or_canceled_card'
  refund.failure_balance_transaction = src.ctx.ids.mint('txn_', 24)
  charge.amount_refunded -= refund.amount
  charge.refunded = false
  emitEvent(src, 'refund.updated', refund, previous)
  emitEvent(src, 'refund.failed', refund)
  emitEvent(src, 'charge.refund.updated', refund, previous)
}

/**
 * Attaching runs the $0 verification real Stripe runs: a card that declines
 * every charge fails to attach, except 4000 0000 0000 0341 (attach ok, charges fail).
 */
export function attach(src: EventSource, pm: PaymentMethod, customer: Customer): void {
  if (pm.customer === customer.id) return
  if (pm.customer)
    invalidRequest(
      'The payment method you provided has already been attached to a customer.',
      'payment_method',
      'payment_method_unexpected_state',
    )
  const card = cardOf(pm)
  if (card && card.behaviour.kind === 'decline' && !card.attachOnly)
    fail(402, {
      type: 'card_error',
      code: card.behaviour.code,
      decline_code: card.behaviour.declineCode,
      message: declineMessage(card.behaviour.declineCode),
    })
  pm.customer = customer.id
  emitEvent(src, 'payment_method.attached', pm)
}
