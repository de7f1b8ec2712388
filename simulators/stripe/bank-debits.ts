import { newCharge } from './charges.ts'
import { docUrl, invalidRequest } from './errors.ts'
import type { PaymentIntent, PaymentMethod } from './models.ts'
import type { ConfirmOutcome, PaymentMethodKind } from './payment-method-kinds.ts'
import { intentSettled } from './settlement.ts'
import { blank, fill } from './spec.ts'
import { BANK_TOKENS } from './test-values.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * ACH Direct Debit (us_bank_account), the delayed-notification method that
 * takes a PaymentIntent through `processing`: the charge is `pending` at
 * confirmation and settles later, succeeding or failing by test token.
 */
export const bankDebits: PaymentMethodKind = {
  type: 'us_bank_account',
  fromToken: (src, token) => (BANK_TOKENS[token] ? createBankPaymentMethod(src, token) : undefined),
  chargeDetails: (pm) => bankDetails(pm),
  confirm: (src, pi, pm) => startBankDebit(src, pi, pm),
}

/** How long a test debit stays processing, in virtual time (standin's choice; live ACH takes days). */
export const BANK_SETTLE_MS = 60_000

export function createBankPaymentMethod(src: EventSource, token: string): PaymentMethod {
  const { ctx } = src
  const pm = {
    ...blank('payment_method'),
    id: ctx.ids.mint('pm_', 24),
    object: 'payment_method',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: 'Test Account Holder',
      phone: null,
    },
    created: src.at,
    customer: null,
    livemode: false,
    metadata: {},
    type: 'us_bank_account',
    us_bank_account: fill('payment_method_us_bank_account', {
      account_holder_type: 'individual',
      account_type: 'checking',
      bank_name: 'STRIPE TEST BANK',
      financial_connections_account: null,
      fingerprint: token.slice(-16),
      last4: '6789',
      networks: { preferred: 'ach', supported: ['ach'] },
      routing_number: '110000000',
      status_details: {},
    }),
    _number: '',
    _bank: token,
  } as unknown as PaymentMethod
  ctx.state.paymentMethods.insert(pm)
  return pm
}

export function bankDetails(pm: PaymentMethod): Record<string, unknown> {
  const bank = pm.us_bank_account!
  return {
    type: 'us_bank_account',
    us_bank_account: {
      account_holder_type: bank.account_holder_type,
      account_type: bank.account_type,
      bank_name: bank.bank_name,
      fingerprint: bank.fingerprint,
      last4: bank.last4,
      routing_number: bank.routing_number,
    },
  }
}

export function startBankDebit(src: EventSource, pi: PaymentIntent, pm: PaymentMethod): ConfirmOutcome {
  const types = pi.payment_method_types as string[]
  if (!types.includes('us_bank_account'))
    invalidRequest(
      `The PaymentMethod provided (us_bank_account) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${types.join(', ')}. Alternatively update the allowed payment_method_types for this PaymentIntent to include "us_bank_account".`,
      'payment_method',
      'payment_intent_incompatible_payment_method',
    )
  const charge = newCharge(src, pi, pm, { status: 'pending', captured: true, details: bankDetails(pm) })
  pi.latest_charge = charge.id
  pi.last_payment_error = null
  pi.next_action = null
  pi.status = 'processing'
  emitEvent(src, 'charge.pending', charge)
  emitEvent(src, 'payment_intent.processing', pi)
  const { ctx } = src
  ctx.later(BANK_SETTLE_MS, () => settle({ ctx, at: ctx.clock.unix(), request: null }, pi, pm))
  return { kind: 'processing' }
}

function settle(src: EventSource, pi: PaymentIntent, pm: PaymentMethod): void {
  if (pi.status !== 'processing') return
  const charge = src.ctx.state.charges.get(pi.latest_charge!)!
  const result = BANK_TOKENS[pm._bank ?? ''] ?? { outcome: 'succeed' as const }
  if (result.outcome === 'succeed') {
    charge.status = 'succeeded'
    charge.paid = true
    charge.amount_captured = charge.amount
    charge.balance_transaction = src.ctx.ids.mint('txn_', 24)
    pi.status = 'succeeded'
    pi.amount_received = pi.amount
    emitEvent(src, 'charge.succeeded', charge)
    emitEvent(src, 'payment_intent.succeeded', pi)
  } else {
    charge.status = 'failed'
    charge.failure_code = result.code
    charge.failure_message = result.message
    pi.status = 'requires_payment_method'
    pi.payment_method = null
    pi.last_payment_error = {
      code: result.code,
      doc_url: docUrl(result.code),
      message: result.message,
      payment_method: pm,
      type: 'invalid_request_error',
    }
    emitEvent(src, 'charge.failed', charge)
    emitEvent(src, 'payment_intent.payment_failed', pi)
  }
  intentSettled(src, pi)
}
