import type { TossErrorCode } from './errors.ts'

/**
 * Test inputs and what they do. Toss publishes no magic card numbers (test mode
 * approves any card input), so these are standin's: type one into the payment
 * window's "Card number" field (or the billing window's) to drive a failure.
 * Every other 16-digit number is approved.
 */
export interface CardBehaviour {
  /** Where it fails: in the window (→ failUrl) or at confirm / billing charge (→ API error). */
  stage: 'window' | 'confirm' | 'charge'
  /** A catalogue code for API failures; the window's own codes go to failUrl. */
  code: TossErrorCode | 'PAY_PROCESS_ABORTED'
  /** Fails only the first time, then succeeds: a temporary error an app should retry. */
  once?: boolean
  /** The payment becomes ABORTED (a refusal); otherwise it stays IN_PROGRESS. */
  aborts: boolean
}

export const TEST_CARDS: Record<string, CardBehaviour & { note: string }> = {
  '4000000000000002': {
    stage: 'window',
    code: 'REJECT_CARD_COMPANY',
    aborts: true,
    note: 'card company refuses in the window',
  },
  '4000000000000036': {
    stage: 'window',
    code: 'PAY_PROCESS_ABORTED',
    aborts: true,
    note: 'approval fails in the window',
  },
  '4000000000009995': {
    stage: 'confirm',
    code: 'REJECT_CARD_PAYMENT',
    aborts: true,
    note: 'limit exceeded / insufficient balance',
  },
  '4000000000000069': {
    stage: 'confirm',
    code: 'INVALID_CARD_EXPIRATION',
    aborts: true,
    note: 'expired card',
  },
  '4000000000000127': {
    stage: 'confirm',
    code: 'EXCEED_MAX_DAILY_PAYMENT_COUNT',
    aborts: true,
    note: 'daily count exceeded',
  },
  '4000000000000119': {
    stage: 'confirm',
    code: 'PROVIDER_ERROR',
    once: true,
    aborts: false,
    note: 'temporary error, retry succeeds',
  },
  '4000000000000259': {
    stage: 'confirm',
    code: 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING',
    once: true,
    aborts: false,
    note: '500 once, retry succeeds',
  },
  '4000000000000341': {
    stage: 'charge',
    code: 'REJECT_CARD_PAYMENT',
    aborts: true,
    note: 'billing key issues, every charge is refused',
  },
}

/** What the window pre-fills: an ordinary approved card. */
export const DEFAULT_CARD = '4330123412341234'

export function cardBehaviour(
  cardNumber: string | null | undefined,
): (CardBehaviour & { note: string }) | undefined {
  return cardNumber ? TEST_CARDS[cardNumber.replace(/[\s-]/g, '')] : undefined
}

/** Masked as Toss shows card numbers: `43301234****123*`. */
export function maskCard(cardNumber: string): string {
  const n = cardNumber.replace(/[\s-]/g, '').padEnd(16, '0')
  return `${n.slice(0, 8)}****${n.slice(12, 15)}*`
}

/** Bank codes the window offers (Toss's two-digit codes). */
export const BANKS: Record<string, string> = {
  '88': '신한',
  '04': 'KB국민',
  '20': '우리',
  '81': '하나',
  '11': 'NH농협',
  '90': '카카오뱅크',
  '92': '토스뱅크',
}

/** A card's issuer as the test card reads it: 현대 ('61') for 43…, BC ('31') otherwise; the acquirer likewise. */
export function issuerOf(cardNumber: string): { issuerCode: string; acquirerCode: string; company: string } {
  return cardNumber.startsWith('43')
    ? { issuerCode: '61', acquirerCode: '31', company: '현대' }
    : { issuerCode: '31', acquirerCode: '31', company: 'BC' }
}

/** Virtual accounts default to 7 days of validity when the request names no `validHours`. */
export const DEFAULT_VALID_HOURS = 168
/** The window is valid 30 minutes; an authenticated payment must be confirmed within 10. */
export const WINDOW_TTL_MS = 30 * 60_000
export const CONFIRM_TTL_MS = 10 * 60_000
/** Overseas easy-pay cancels settle asynchronously; this long after the request (virtual time). */
export const FOREIGN_CANCEL_SETTLE_MS = 60_000
