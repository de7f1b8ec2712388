import { afterRefund, refundStartsPending } from './async-refunds.ts'
import { bankDetails, createBankPaymentMethod, startBankDebit } from './bank-debits.ts'
import { settleConnectCharge } from './connect.ts'
import { assertNotChargedBack, openTestDispute } from './disputes.ts'
import { declineMessage, docUrl, fail, invalidRequest, resourceMissing } from './errors.ts'
import type { Charge, PaymentIntent, PaymentMethod, Refund } from './models.ts'
import { blank, fill } from './spec.ts'
import { applyRisk, checksOf } from './test-cards.ts'
import { BANK_TOKENS, lookupCard, TEST_TOKENS, type TestCard } from './test-values.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Money movement: PaymentMethods from test cards, the PaymentIntent confirm /
 * capture / cancel machine, Charges and Refunds, and the events each step
 * emits in Stripe's order (payment_intent.created → charge.succeeded →
 * payment_intent.succeeded).
 */
const money = (amount: number, currency: string) =>
  currency === 'usd'
    ? `$${(amount / 100).toFixed(2)}`
    : `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`

/** The test card behind a card PaymentMethod; undefined for a bank account. */
export function cardOf(pm: PaymentMethod): TestCard | undefined {
  return pm.type === 'card' ? lookupCard(pm._number) : undefined
}

export function createCardPaymentMethod(
  src: EventSource,
  details: {
    number: string
    exp_month?: number | undefined
    exp_year?: number | undefined
    cvc?: string | undefined
  },
  extra: {
    billing_details?: Record<string, unknown> | undefined
    metadata?: Record<string, string> | undefined
  } = {},
): PaymentMethod {
  const { ctx } = src
  const card = lookupCard(details.number)
  if (!card)
    fail(402, {
      type: 'card_error',
      code: 'incorrect_number',
      message: declineMessage('incorrect_number'),
      param: 'number',
    })
  const expYear = details.exp_year ?? new Date(src.at * 1000).getUTCFullYear() + 3
  const expMonth = details.exp_month ?? 12
  const pm = {
    ...blank('payment_method'),
    id: ctx.ids.mint('pm_', 24),
    object: 'payment_method',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      ...extra.billing_details,
    },
    card: fill('payment_method_card', {
      brand: card!.brand,
      checks: {
        address_line1_check: null,
        address_postal_code_check: null,
        cvc_check: details.cvc ? 'pass' : null,
        ...checksOf(card!),
      },
      country: 'US',
      exp_month: expMonth,
      exp_year: expYear,
      fingerprint: fingerprint(card!.number),
      funding: card!.funding,
      generated_from: null,
      last4: card!.number.slice(-4),
      networks: { available: [card!.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    }),
    created: src.at,
    customer: null,
    livemode: false,
    metadata: extra.metadata ?? {},
    type: 'card',
    _number: card!.number,
  } as unknown as PaymentMethod
  ctx.state.paymentMethods.insert(pm)
  return pm
}

function fingerprint(number: string): string {
  let h = 7
  for (const c of number) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return h.toString(36).padStart(8, '0').slice(0, 16)
}

/** A `pm_card_*` test token (cloned into a new PaymentMethod) or the id of a stored one. */
export function resolvePaymentMethod(src: EventSource, id: string, param = 'payment_method'): PaymentMethod {
  const number = TEST_TOKENS[id]
  if (number) return createCardPaymentMethod(src, { number })
  if (BANK_TOKENS[id]) return createBankPaymentMethod(src, id)
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
  const pi = {
    ...blank('payment_intent'),
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
  } as PaymentIntent
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

export type ConfirmOutcome =
  | { kind: 'succeeded' | 'requires_capture' | 'requires_action' | 'processing' }
  | { kind: 'declined'; error: Record<string, unknown> }

/**
 * Confirms with the attached PaymentMethod: the test card decides. On a decline
 * the PI goes back to requires_payment_method with last_payment_error set.
 */
export function confirmIntent(
  src: EventSource,
  pi: PaymentIntent,
  options: { offSession?: boolean; returnUrl?: string } = {},
): ConfirmOutcome {
  const { ctx } = src
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
  if (pm.type === 'us_bank_account') return startBankDebit(src, pi, pm)
  const card = cardOf(pm)!
  const behaviour = card.behaviour
  if (
    behaviour.kind === 'authenticate' ||
    (behaviour.kind === 'authenticate-on-session' && !options.offSession)
  ) {
    if (options.offSession)
      return decline(src, pi, pm, 'authentication_required', 'authentication_required', false)
    const url = `${ctx.baseUrl}/3ds/${pi.id}`
    pi.status = 'requires_action'
    pi.next_action = options.returnUrl
      ? { type: 'redirect_to_url', redirect_to_url: { return_url: options.returnUrl, url } }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: pm.id },
        }
    emitEvent(src, 'payment_intent.requires_action', pi)
    return { kind: 'requires_action' }
  }
  if (behaviour.kind === 'decline') return decline(src, pi, pm, behaviour.code, behaviour.declineCode, true)
  return authorize(src, pi, pm)
}

/** The 3-D Secure page's answer: pass → charge as usual; fail → payment_intent_authentication_failure. */
export function completeAuthentication(src: EventSource, pi: PaymentIntent, pass: boolean): ConfirmOutcome {
  const pm = src.ctx.state.paymentMethods.get(pi.payment_method ?? '')
  if (pi.status !== 'requires_action' || !pm)
    return { kind: pi.status === 'requires_capture' ? 'requires_capture' : 'succeeded' }
  pi.next_action = null
  if (pass) return authorize(src, pi, pm)
  const error = {
    code: 'payment_intent_authentication_failure',
    doc_url: docUrl('payment_intent_authentication_failure'),
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: pm,
    type: 'invalid_request_error',
  }
  pi.status = 'requires_payment_method'
  pi.payment_method = null
  pi.last_payment_error = error
  emitEvent(src, 'payment_intent.payment_failed', pi)
  return { kind: 'declined', error }
}

function authorize(src: EventSource, pi: PaymentIntent, pm: PaymentMethod): ConfirmOutcome {
  const manual = pi.capture_method === 'manual'
  const charge = newCharge(src, pi, pm, { status: 'succeeded', captured: !manual })
  applyRisk(charge.outcome as Record<string, unknown> | null, cardOf(pm))
  pi.latest_charge = charge.id
  pi.last_payment_error = null
  pi.next_action = null
  if (manual) {
    pi.status = 'requires_capture'
    pi.amount_capturable = pi.amount
    emitEvent(src, 'charge.succeeded', charge)
    emitEvent(src, 'payment_intent.amount_capturable_updated', pi)
    return { kind: 'requires_capture' }
  }
  pi.status = 'succeeded'
  pi.amount_received = pi.amount
  emitEvent(src, 'charge.succeeded', charge)
  settleConnectCharge(src, pi)
  openTestDispute(src, charge, pm)
  emitEvent(src, 'payment_intent.succeeded', pi)
  return { kind: 'succeeded' }
}

function decline(
  src: EventSource,
  pi: PaymentIntent,
  pm: PaymentMethod,
  code: string,
  declineCode: string,
  withCharge: boolean,
): ConfirmOutcome {
  const message = declineMessage(declineCode)
  let charge: Charge | undefined
  if (withCharge) {
    charge = newCharge(src, pi, pm, {
      status: 'failed',
      captured: false,
      failure: { code, declineCode, message },
    })
    pi.latest_charge = charge.id
  }
  const error: Record<string, unknown> = {
    ...(charge ? { charge: charge.id } : {}),
    code,
    decline_code: declineCode,
    doc_url: docUrl(code),
    message,
    payment_method: pm,
    type: 'card_error',
  }
  pi.status = 'requires_payment_method'
  pi.payment_method = null
  pi.last_payment_error = error
  if (charge) emitEvent(src, 'charge.failed', charge)
  emitEvent(src, 'payment_intent.payment_failed', pi)
  return { kind: 'declined', error }
}

export function newCharge(
  src: EventSource,
  pi: PaymentIntent,
  pm: PaymentMethod,
  opts: {
    status: 'succeeded' | 'failed' | 'pending'
    captured: boolean
    failure?: { code: string; declineCode: string; message: string }
  },
): Charge {
  const { ctx } = src
  const id = ctx.ids.mint('ch_', 24)
  const ok = opts.status === 'succeeded'
  const charge = {
    ...blank('charge'),
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: ok && opts.captured ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok && opts.captured ? ctx.ids.mint('txn_', 24) : null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: 'STANDIN',
    captured: ok && opts.captured,
    created: src.at,
    currency: pi.currency,
    customer: pi.customer,
    description: (pi.description as string | null) ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: opts.failure?.code ?? null,
    failure_message: opts.failure?.message ?? null,
    fraud_details: {},
    invoice: pi.invoice,
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome:
      opts.status !== 'failed'
        ? {
            network_status: 'approved_by_network',
            reason: null,
            risk_level: 'normal',
            risk_score: 32,
            seller_message: 'Payment complete.',
            type: 'authorized',
          }
        : {
            network_status: 'declined_by_network',
            reason: opts.failure!.declineCode,
            risk_level: 'normal',
            risk_score: 40,
            seller_message: 'The bank did not return any further details with this decline.',
            type: 'issuer_declined',
          },
    paid: ok,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details:
      pm.type === 'us_bank_account'
        ? bankDetails(pm)
        : {
            card: fill('payment_method_details_card', {
              brand: pm.card.brand,
              checks: pm.card.checks,
              country: 'US',
              exp_month: pm.card.exp_month,
              exp_year: pm.card.exp_year,
              fingerprint: pm.card.fingerprint,
              funding: pm.card.funding,
              installments: null,
              last4: pm.card.last4,
              mandate: null,
              network: pm.card.brand,
              three_d_secure: null,
              wallet: null,
            }),
            type: 'card',
          },
    receipt_email: (pi.receipt_email as string | null) ?? null,
    receipt_number: null,
    receipt_url: `${ctx.baseUrl}/receipts/${id}`,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: opts.status,
    transfer_data: null,
    transfer_group: null,
  } as Charge
  ctx.state.charges.insert(charge)
  return charge
}

export function captureIntent(src: EventSource, pi: PaymentIntent, amountToCapture?: number): void {
  const amount = amountToCapture ?? pi.amount_capturable
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
  pi.amount_received = amount
  pi.amount_capturable = 0
  pi.status = 'succeeded'
  emitEvent(src, 'charge.captured', charge)
  const capturedPm = src.ctx.state.paymentMethods.get(charge.payment_method as string)
  settleConnectCharge(src, pi)
  if (capturedPm) openTestDispute(src, charge, capturedPm)
  emitEvent(src, 'payment_intent.succeeded', pi)
}

export function cancelIntent(src: EventSource, pi: PaymentIntent, reason?: string | null): void {
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
  const refund = {
    ...blank('refund'),
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
  } as unknown as Refund
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
