import type { CardBehaviour, TestCard } from './test-card-types.ts'

/**
 * The rest of Stripe's documented test cards (docs.stripe.com/testing: cards
 * by brand, declines, fraud prevention, disputes, refunds, available balance,
 * 3-D Secure), their `pm_card_*` PaymentMethods and `tok_*` tokens, and the
 * table the README and `test-values.sdk.test.ts` are both checked against.
 */
const ok: CardBehaviour = { kind: 'succeed' }
const declined = (code: string, declineCode = code): CardBehaviour => ({ kind: 'decline', code, declineCode })
const visa = (extra: Partial<Omit<TestCard, 'number'>> = {}): Omit<TestCard, 'number'> => ({
  brand: 'visa',
  funding: 'credit',
  behaviour: ok,
  ...extra,
})

export function MORE_TEST_CARDS(): Record<string, Omit<TestCard, 'number'>> {
  return {
    // Cards by brand.
    '2223003122003222': { brand: 'mastercard', funding: 'credit', behaviour: ok },
    '5200828282828210': { brand: 'mastercard', funding: 'debit', behaviour: ok },
    '5105105105105100': { brand: 'mastercard', funding: 'prepaid', behaviour: ok },
    '371449635398431': { brand: 'amex', funding: 'credit', behaviour: ok },
    '6011000990139424': { brand: 'discover', funding: 'credit', behaviour: ok },
    '6011981111111113': { brand: 'discover', funding: 'debit', behaviour: ok },
    '3056930009020004': { brand: 'diners', funding: 'credit', behaviour: ok },
    '36227206271667': { brand: 'diners', funding: 'credit', behaviour: ok },
    '3566002020360505': { brand: 'jcb', funding: 'credit', behaviour: ok },
    '6200000000000005': { brand: 'unionpay', funding: 'credit', behaviour: ok },
    '6200000000000047': { brand: 'unionpay', funding: 'debit', behaviour: ok },
    '6205500000000000004': { brand: 'unionpay', funding: 'credit', behaviour: ok },
    // Declines.
    '4000000000006975': visa({ behaviour: declined('card_declined', 'card_velocity_exceeded') }),
    // Fraud prevention: Radar's default rule blocks the highest risk level.
    '4100000000000019': visa({ behaviour: declined('card_declined', 'fraudulent'), risk: 'highest' }),
    '4000000000004954': visa({ behaviour: declined('card_declined', 'fraudulent'), risk: 'highest' }),
    '4000000000009235': visa({ risk: 'elevated' }),
    '4000000000000101': visa({ checks: { cvc: 'fail' } }),
    '4000000000000036': visa({ checks: { postalCode: 'fail' } }),
    '4000000000000028': visa({ checks: { line1: 'fail' } }),
    '4000000000000010': visa({ checks: { postalCode: 'fail', line1: 'fail' } }),
    '4000000000000044': visa({ checks: { postalCode: 'unavailable', line1: 'unavailable' } }),
    // Disputes.
    '4000000000000259': visa({ dispute: 'fraudulent' }),
    '4000000000002685': visa({ dispute: 'product_not_received' }),
    '4000000000001976': visa({ dispute: 'inquiry' }),
    // Refunds and the available balance.
    '4000000000007726': visa({ refundPending: true }),
    '4000000000000077': visa({ bypassPending: true }),
    '4000003720000278': visa({ bypassPending: true, country: 'GB' }),
    // 3-D Secure: required on every payment, or supported and not required.
    '4000000000003220': visa({ behaviour: { kind: 'authenticate' } }),
    '4000000000003055': visa(),
  }
}

export const MORE_PM_TOKENS: Record<string, string> = {
  pm_card_mastercard_debit: '5200828282828210',
  pm_card_mastercard_prepaid: '5105105105105100',
  pm_card_diners: '3056930009020004',
  pm_card_jcb: '3566002020360505',
  pm_card_unionpay: '6200000000000005',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_visa_chargeDeclinedLostCard: '4000000000009987',
  pm_card_visa_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: '4000000000006975',
  pm_card_radarBlock: '4100000000000019',
  pm_card_riskLevelHighest: '4000000000004954',
  pm_card_riskLevelElevated: '4000000000009235',
  pm_card_cvcCheckFail: '4000000000000101',
  pm_card_avsZipFail: '4000000000000036',
  pm_card_avsLine1Fail: '4000000000000028',
  pm_card_avsFail: '4000000000000010',
  pm_card_avsUnchecked: '4000000000000044',
  pm_card_createDispute: '4000000000000259',
  pm_card_createDisputeProductNotReceived: '4000000000002685',
  pm_card_createDisputeInquiry: '4000000000001976',
  pm_card_bypassPending: '4000000000000077',
  pm_card_pendingRefund: '4000000000007726',
  pm_card_bypassPendingInternational: '4000003720000278',
  pm_card_threeDSecure2Required: '4000000000003220',
  pm_card_threeDSecureOptional: '4000000000003055',
}

/** `tok_*` card tokens (`card[token]` when creating a PaymentMethod) → card number. */
export const CARD_TOKENS: Record<string, string> = {
  tok_visa: '4242424242424242',
  tok_visa_debit: '4000056655665556',
  tok_mastercard: '5555555555554444',
  tok_mastercard_debit: '5200828282828210',
  tok_mastercard_prepaid: '5105105105105100',
  tok_amex: '378282246310005',
  tok_discover: '6011111111111117',
  tok_diners: '3056930009020004',
  tok_jcb: '3566002020360505',
  tok_unionpay: '6200000000000005',
  tok_chargeDeclined: '4000000000000002',
  tok_visa_chargeDeclined: '4000000000000002',
  tok_chargeDeclinedInsufficientFunds: '4000000000009995',
  tok_visa_chargeDeclinedInsufficientFunds: '4000000000009995',
  tok_chargeDeclinedLostCard: '4000000000009987',
  tok_visa_chargeDeclinedLostCard: '4000000000009987',
  tok_chargeDeclinedStolenCard: '4000000000009979',
  tok_visa_chargeDeclinedStolenCard: '4000000000009979',
  tok_chargeDeclinedExpiredCard: '4000000000000069',
  tok_chargeDeclinedIncorrectCvc: '4000000000000127',
  tok_chargeDeclinedProcessingError: '4000000000000119',
  tok_visa_chargeDeclinedVelocityLimitExceeded: '4000000000006975',
  tok_chargeCustomerFail: '4000000000000341',
  tok_chargeDeclinedFraudulent: '4100000000000019',
  tok_radarBlock: '4100000000000019',
  tok_riskLevelHighest: '4000000000004954',
  tok_riskLevelElevated: '4000000000009235',
  tok_cvcCheckFail: '4000000000000101',
  tok_avsZipFail: '4000000000000036',
  tok_avsLine1Fail: '4000000000000028',
  tok_avsFail: '4000000000000010',
  tok_avsUnchecked: '4000000000000044',
  tok_createDispute: '4000000000000259',
  tok_visa_createDispute: '4000000000000259',
  tok_createDisputeProductNotReceived: '4000000000002685',
  tok_visa_createDisputeProductNotReceived: '4000000000002685',
  tok_createDisputeInquiry: '4000000000001976',
  tok_visa_createDisputeInquiry: '4000000000001976',
  tok_refundFail: '4000000000005126',
  tok_bypassPending: '4000000000000077',
  tok_bypassPendingInternational: '4000003720000278',
  tok_threeDSecure2Required: '4000000000003220',
}

/** What a test value must do, checked row by row by `test-values.sdk.test.ts`. */
export type Expectation =
  | { kind: 'succeed'; brand: string; funding: string }
  | { kind: 'decline'; code: string; declineCode: string }
  | { kind: 'incorrect_number' }
  | { kind: 'attach-then-fail' }
  | { kind: 'authenticate' }
  | { kind: 'authenticate-on-session' }
  | { kind: 'dispute'; reason: string; status: string }
  | { kind: 'refund-fails' }
  | { kind: 'refund-pending' }
  | { kind: 'bypass-pending' }
  | { kind: 'risk'; level: string }
  | { kind: 'checks'; cvc?: string; postalCode?: string; line1?: string }

export interface TestValueRow {
  /** `4242424242424242`, `pm_card_visa` or `tok_visa`. */
  value: string
  expect: Expectation
}

const brandOf = (card: Omit<TestCard, 'number'>): Expectation => {
  const b = card.behaviour
  if (card.attachOnly) return { kind: 'attach-then-fail' }
  if (card.dispute)
    return {
      kind: 'dispute',
      reason: card.dispute === 'inquiry' ? 'fraudulent' : card.dispute,
      status: card.dispute === 'inquiry' ? 'warning_needs_response' : 'needs_response',
    }
  if (card.refundFails) return { kind: 'refund-fails' }
  if (card.refundPending) return { kind: 'refund-pending' }
  if (card.bypassPending) return { kind: 'bypass-pending' }
  if (b.kind === 'decline') return { kind: 'decline', code: b.code, declineCode: b.declineCode }
  if (b.kind === 'authenticate') return { kind: 'authenticate' }
  if (b.kind === 'authenticate-on-session') return { kind: 'authenticate-on-session' }
  if (card.risk) return { kind: 'risk', level: card.risk }
  if (card.checks) return { kind: 'checks', ...card.checks }
  return { kind: 'succeed', brand: card.brand, funding: card.funding }
}

/** Every documented value standin models, each with what it must do. */
export function testValueRows(
  cards: Record<string, Omit<TestCard, 'number'>>,
  pmTokens: Record<string, string>,
): TestValueRow[] {
  const rows: TestValueRow[] = []
  for (const [number, card] of Object.entries(cards)) rows.push({ value: number, expect: brandOf(card) })
  rows.push({ value: '4242424242424241', expect: { kind: 'incorrect_number' } })
  for (const [token, number] of [...Object.entries(pmTokens), ...Object.entries(CARD_TOKENS)])
    rows.push({ value: token, expect: brandOf(cards[number]!) })
  return rows
}

/** The verification checks a test card reports on its PaymentMethod and charges. */
export function checksOf(card: Pick<TestCard, 'checks'>): Record<string, string> {
  const out: Record<string, string> = {}
  if (card.checks?.cvc) out.cvc_check = card.checks.cvc
  if (card.checks?.postalCode) out.address_postal_code_check = card.checks.postalCode
  if (card.checks?.line1) out.address_line1_check = card.checks.line1
  return out
}

/** Radar's evaluation on a charge's `outcome` for the risk-level test cards. */
export function applyRisk(
  outcome: Record<string, unknown> | null,
  card: Pick<TestCard, 'risk'> | undefined,
): void {
  if (!outcome || !card?.risk) return
  outcome.risk_level = card.risk
  outcome.risk_score = card.risk === 'highest' ? 95 : 75
  if (card.risk === 'highest') {
    outcome.type = 'blocked'
    outcome.network_status = 'not_sent_to_network'
    outcome.reason = 'highest_risk_level'
    outcome.seller_message = 'Stripe blocked this payment as too risky.'
  } else {
    outcome.type = 'manual_review'
    outcome.reason = 'elevated_risk_level'
    outcome.seller_message =
      'Stripe evaluated this payment as having elevated risk, and placed it in your manual review queue.'
  }
}
