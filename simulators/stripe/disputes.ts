import { book, bookCharge, DAY } from './balance.ts'
import { cardOf } from './charges.ts'
import { fail, invalidRequest } from './errors.ts'
import type { Charge, Dispute, PaymentMethod } from './models.ts'
import { patchNested } from './snapshots.ts'
import { blank, spec } from './spec.ts'
import type { DisputeKind } from './test-values.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Disputes as Stripe's test cards raise them (docs.stripe.com/testing#disputes):
 * the charge succeeds, then is disputed within the same confirm. A chargeback
 * (`needs_response`) withdraws the amount plus Stripe's $15 dispute fee at once;
 * an inquiry (`warning_needs_response`) moves no money until it is escalated.
 * Evidence whose `uncategorized_text` is `winning_evidence`, `losing_evidence`
 * or `escalate_inquiry_evidence` settles the dispute a few seconds of virtual
 * time after it is submitted, as the testing docs describe.
 */
export const DISPUTE_FEE = 1500
/** How long after submitting a magic evidence value the issuer "decides", in virtual ms (live: about 5 s). */
export const EVIDENCE_SETTLES_AFTER_MS = 5_000

const CLOSED = ['won', 'lost', 'warning_closed']

/** Visa reason codes the test disputes carry (probed live by others; see README). */
const NETWORK_REASON: Record<DisputeKind, string> = {
  fraudulent: '10.4',
  product_not_received: '13.1',
  inquiry: '10',
}

function emptyEvidence(): Record<string, null> {
  const props = spec().components.schemas.dispute_evidence?.properties ?? {}
  return Object.fromEntries(Object.keys(props).map((k) => [k, null]))
}

/** Called once a card charge is captured: a dispute test card opens its dispute now. */
export function openTestDispute(src: EventSource, charge: Charge, pm: PaymentMethod): Dispute | undefined {
  const { ctx } = src
  // Every captured card charge books its balance transaction now (expandable from the charge at once).
  bookCharge(ctx, charge)
  const kind = cardOf(pm)?.dispute
  if (!kind || !charge.captured) return undefined
  const inquiry = kind === 'inquiry'
  const dispute = {
    ...blank('dispute'),
    id: ctx.ids.mint('du_', 24),
    object: 'dispute',
    amount: charge.amount_captured,
    balance_transactions: [],
    charge: charge.id,
    created: src.at,
    currency: charge.currency,
    evidence: emptyEvidence(),
    evidence_details: {
      // End of the UTC day, eight days on.
      due_by: Math.floor((src.at + 8 * DAY) / DAY) * DAY + DAY - 1,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: inquiry,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: pm.card.brand, network_reason_code: NETWORK_REASON[kind] },
      type: 'card',
    },
    reason: inquiry ? 'fraudulent' : kind,
    status: inquiry ? 'warning_needs_response' : 'needs_response',
  } as unknown as Dispute
  ctx.state.disputes.insert(dispute)
  charge.disputed = true
  emitEvent(src, 'charge.dispute.created', dispute)
  if (!inquiry) withdraw(src, dispute)
  return dispute
}

/** The chargeback takes the amount and the dispute fee from the balance. */
function withdraw(src: EventSource, dispute: Dispute): void {
  const txn = book(src.ctx, {
    amount: -dispute.amount,
    currency: dispute.currency,
    type: 'adjustment',
    reportingCategory: 'dispute',
    source: dispute.id,
    description: `Chargeback withdrawal for ${dispute.charge}`,
    created: src.at,
    fees: [{ amount: DISPUTE_FEE, type: 'stripe_fee', description: 'Dispute fee' }],
  })
  dispute.balance_transactions.push(txn)
  dispute.is_charge_refundable = false
  emitEvent(src, 'charge.dispute.funds_withdrawn', dispute)
}

/** A won chargeback gives the amount and the fee back. */
function reinstate(src: EventSource, dispute: Dispute): void {
  const txn = book(src.ctx, {
    amount: dispute.amount,
    currency: dispute.currency,
    type: 'adjustment',
    reportingCategory: 'dispute_reversal',
    source: dispute.id,
    description: `Chargeback reversal for ${dispute.charge}`,
    created: src.at,
    fees: [{ amount: -DISPUTE_FEE, type: 'stripe_fee', description: 'Dispute fee refund' }],
  })
  dispute.balance_transactions.push(txn)
  emitEvent(src, 'charge.dispute.funds_reinstated', dispute)
}

export function assertOpen(dispute: Dispute): void {
  if (CLOSED.includes(dispute.status))
    fail(400, { type: 'invalid_request_error', message: 'This dispute is already closed' })
}

/** Refunds are refused while a chargeback holds the charge (Stripe: `charge_disputed`). */
export function assertNotChargedBack(src: EventSource, charge: Charge): void {
  const held = src.ctx.state.disputes
    .filter((d) => d.charge === charge.id)
    .some((d) => !d.is_charge_refundable)
  if (held)
    invalidRequest(
      `Charge ${charge.id} has been charged back; cannot issue a refund.`,
      undefined,
      'charge_disputed',
    )
}

/**
 * `POST /v1/disputes/{id}`: evidence merges (`''` clears a field), metadata
 * merges, and unless `submit=false` the evidence is submitted: status moves to
 * under review and a magic value settles the dispute a little later.
 */
export function updateDispute(
  src: EventSource,
  dispute: Dispute,
  input: { evidence?: Record<string, unknown> | ''; metadata?: Record<string, string>; submit?: boolean },
): void {
  assertOpen(dispute)
  const before = structuredClone({
    evidence: dispute.evidence,
    evidence_details: dispute.evidence_details,
    metadata: dispute.metadata,
    status: dispute.status,
  })
  if (input.evidence && typeof input.evidence === 'object')
    dispute.evidence = {
      ...dispute.evidence,
      ...Object.fromEntries(Object.entries(input.evidence).map(([k, v]) => [k, v === '' ? null : v])),
    }
  if (input.metadata) dispute.metadata = input.metadata
  const hasEvidence = Object.values(dispute.evidence).some((v) => v !== null)
  patchNested(dispute, 'evidence_details', { has_evidence: hasEvidence })
  const submit = input.submit !== false && input.evidence !== undefined
  if (submit) {
    patchNested(dispute, 'evidence_details', {
      submission_count: dispute.evidence_details.submission_count + 1,
    })
    if (dispute.status === 'needs_response') dispute.status = 'under_review'
    if (dispute.status === 'warning_needs_response') dispute.status = 'warning_under_review'
  }
  const previous: Record<string, unknown> = {}
  for (const key of Object.keys(before) as (keyof typeof before)[])
    if (JSON.stringify(before[key]) !== JSON.stringify(dispute[key])) previous[key] = before[key]
  emitEvent(src, 'charge.dispute.updated', dispute, previous)
  if (!submit) return
  const magic = dispute.evidence.uncategorized_text
  if (magic === 'winning_evidence' || magic === 'losing_evidence' || magic === 'escalate_inquiry_evidence') {
    const { ctx } = src
    ctx.later(EVIDENCE_SETTLES_AFTER_MS, () =>
      settleDispute({ ctx, at: ctx.clock.unix(), request: null }, dispute.id, magic),
    )
  }
}

/** What the issuer decides for a magic evidence value (run by the clock, or at once by a trigger). */
export function settleDispute(src: EventSource, id: string, magic: string): void {
  const dispute = src.ctx.state.disputes.get(id)
  if (!dispute || CLOSED.includes(dispute.status)) return
  const inquiry = dispute.status.startsWith('warning_')
  const previous = { status: dispute.status }
  if (magic === 'escalate_inquiry_evidence') {
    if (!inquiry) return
    dispute.status = 'needs_response'
    patchNested(dispute, 'evidence_details', { has_evidence: false })
    emitEvent(src, 'charge.dispute.updated', dispute, previous)
    withdraw(src, dispute)
    return
  }
  if (inquiry) {
    // An inquiry never became a chargeback: it closes with no money moved.
    dispute.status = 'warning_closed'
    emitEvent(src, 'charge.dispute.closed', dispute)
    return
  }
  if (magic === 'winning_evidence') {
    dispute.status = 'won'
    dispute.is_charge_refundable = true
    reinstate(src, dispute)
  } else dispute.status = 'lost'
  emitEvent(src, 'charge.dispute.closed', dispute)
}

/** `POST /v1/disputes/{id}/close`: accepting the dispute loses it (an inquiry just closes). */
export function closeDispute(src: EventSource, dispute: Dispute): void {
  assertOpen(dispute)
  dispute.status = dispute.status.startsWith('warning_') ? 'warning_closed' : 'lost'
  emitEvent(src, 'charge.dispute.closed', dispute)
}
