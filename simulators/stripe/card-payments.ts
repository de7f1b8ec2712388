import { cardOf, newCharge } from './charges.ts'
import { settleConnectCharge } from './connect-fees.ts'
import { openTestDispute } from './disputes.ts'
import { declineMessage, docUrl, fail } from './errors.ts'
import type { Charge, PaymentIntent, PaymentMethod } from './models.ts'
import type { ConfirmOptions, ConfirmOutcome, PaymentMethodKind } from './payment-method-kinds.ts'
import { intentSettled } from './settlement.ts'
import { fill, withBlank } from './spec.ts'
import { applyRisk, checksOf } from './test-cards.ts'
import { lookupCard, TEST_TOKENS } from './test-values.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Cards: PaymentMethods from Stripe's test cards and `pm_card_*` tokens, and
 * what confirming with one does (3-D Secure, declines, authorization), as the
 * test card says.
 */
export const cards: PaymentMethodKind = {
  type: 'card',
  fromToken: (src, token) => {
    const number = TEST_TOKENS[token]
    return number ? createCardPaymentMethod(src, { number }) : undefined
  },
  chargeDetails: (pm) => ({
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
  }),
  confirm: (src, pi, pm, options) => confirmWithCard(src, pi, pm, options),
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
  const pm = withBlank('payment_method', {
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
  }) as unknown as PaymentMethod
  ctx.state.paymentMethods.insert(pm)
  return pm
}

function fingerprint(number: string): string {
  let h = 7
  for (const c of number) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return h.toString(36).padStart(8, '0').slice(0, 16)
}

/** Confirms with a test card: the card decides (3-D Secure, a decline, or an authorization). */
function confirmWithCard(
  src: EventSource,
  pi: PaymentIntent,
  pm: PaymentMethod,
  options: ConfirmOptions,
): ConfirmOutcome {
  const { ctx } = src
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
  const outcome = authenticate(src, pi, pass)
  intentSettled(src, pi)
  return outcome
}

function authenticate(src: EventSource, pi: PaymentIntent, pass: boolean): ConfirmOutcome {
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
  const charge = newCharge(src, pi, pm, {
    status: 'succeeded',
    captured: !manual,
    details: cards.chargeDetails(pm),
  })
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
      details: cards.chargeDetails(pm),
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
