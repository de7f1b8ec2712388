import type { Charge, PaymentIntent, PaymentMethod } from './models.ts'
import { withBlank } from './spec.ts'
import { lookupCard, type TestCard } from './test-values.ts'
import type { EventSource } from './webhooks.ts'

/**
 * Charges: the record of one attempt to move money for a PaymentIntent. A leaf
 * below payments.ts, the PaymentMethod kinds, disputes, refunds and the
 * balance, so each of them can make or read a charge without importing the
 * PaymentIntent machine.
 */
export const money = (amount: number, currency: string) =>
  currency === 'usd'
    ? `$${(amount / 100).toFixed(2)}`
    : `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`

/** The test card behind a card PaymentMethod; undefined for a bank account. */
export function cardOf(pm: PaymentMethod): TestCard | undefined {
  return pm.type === 'card' ? lookupCard(pm._number) : undefined
}

export function newCharge(
  src: EventSource,
  pi: PaymentIntent,
  pm: PaymentMethod,
  opts: {
    status: 'succeeded' | 'failed' | 'pending'
    captured: boolean
    failure?: { code: string; declineCode: string; message: string }
    /** `payment_method_details`, as the PaymentMethod's kind describes it. */
    details: Record<string, unknown>
  },
): Charge {
  const { ctx } = src
  const id = ctx.ids.mint('ch_', 24)
  const ok = opts.status === 'succeeded'
  const charge = withBlank('charge', {
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
    payment_method_details: opts.details,
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
  }) as Charge
  ctx.state.charges.insert(charge)
  return charge
}
