import type { CardBehaviour, TestCard } from './test-card-types.ts'
import { MORE_PM_TOKENS, MORE_TEST_CARDS } from './test-cards.ts'

export type { CardBehaviour, DisputeKind, TestCard } from './test-card-types.ts'

/**
 * Stripe's documented test cards and `pm_card_*` tokens, and what each does
 * when charged. Any future expiry and any CVC are accepted, as in test mode.
 */

const decline = (code: string, declineCode = code): CardBehaviour => ({ kind: 'decline', code, declineCode })
const succeed: CardBehaviour = { kind: 'succeed' }

export const TEST_CARDS: Record<string, Omit<TestCard, 'number'>> = {
  '4242424242424242': { brand: 'visa', funding: 'credit', behaviour: succeed },
  '4000056655665556': { brand: 'visa', funding: 'debit', behaviour: succeed },
  '5555555555554444': { brand: 'mastercard', funding: 'credit', behaviour: succeed },
  '378282246310005': { brand: 'amex', funding: 'credit', behaviour: succeed },
  '6011111111111117': { brand: 'discover', funding: 'credit', behaviour: succeed },
  '4000000000000002': {
    brand: 'visa',
    funding: 'credit',
    behaviour: decline('card_declined', 'generic_decline'),
  },
  '4000000000009995': {
    brand: 'visa',
    funding: 'credit',
    behaviour: decline('card_declined', 'insufficient_funds'),
  },
  '4000000000009987': { brand: 'visa', funding: 'credit', behaviour: decline('card_declined', 'lost_card') },
  '4000000000009979': {
    brand: 'visa',
    funding: 'credit',
    behaviour: decline('card_declined', 'stolen_card'),
  },
  '4000000000000069': { brand: 'visa', funding: 'credit', behaviour: decline('expired_card') },
  '4000000000000127': { brand: 'visa', funding: 'credit', behaviour: decline('incorrect_cvc') },
  '4000000000000119': { brand: 'visa', funding: 'credit', behaviour: decline('processing_error') },
  '4000000000000341': {
    brand: 'visa',
    funding: 'credit',
    behaviour: decline('card_declined', 'generic_decline'),
    attachOnly: true,
  },
  '4000000000005126': { brand: 'visa', funding: 'credit', behaviour: succeed, refundFails: true },
  '4000002760003184': { brand: 'visa', funding: 'credit', behaviour: { kind: 'authenticate' } },
  '4000002500003155': { brand: 'visa', funding: 'credit', behaviour: { kind: 'authenticate-on-session' } },
  ...MORE_TEST_CARDS(),
}

/** Test PaymentMethod tokens → card number. Each use makes a new `pm_...` (Stripe clones the token). */
export const TEST_TOKENS: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_discover: '6011111111111117',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeDeclinedIncorrectCvc: '4000000000000127',
  pm_card_chargeDeclinedProcessingError: '4000000000000119',
  pm_card_chargeCustomerFail: '4000000000000341',
  pm_card_refundFail: '4000000000005126',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_authenticationRequiredOnSetup: '4000002500003155',
  ...MORE_PM_TOKENS,
}

/**
 * ACH Direct Debit test PaymentMethods (us_bank_account): the payment sits in
 * `processing` and settles later, succeeding or failing with the code below.
 */
export type BankOutcome = { outcome: 'succeed' } | { outcome: 'fail'; code: string; message: string }

export const BANK_TOKENS: Record<string, BankOutcome> = {
  pm_usBankAccount_success: { outcome: 'succeed' },
  pm_usBankAccount_insufficientFunds: {
    outcome: 'fail',
    code: 'insufficient_funds',
    message: "The customer's account has insufficient funds to cover this payment.",
  },
  pm_usBankAccount_accountClosed: {
    outcome: 'fail',
    code: 'account_closed',
    message: "The customer's bank account has been closed.",
  },
  pm_usBankAccount_debitNotAuthorized: {
    outcome: 'fail',
    code: 'debit_not_authorized',
    message: 'The customer has notified their bank that this payment was unauthorized.',
  },
}

/** The test card for a number (spaces ignored); undefined when Stripe would refuse it as incorrect. */
export function lookupCard(number: string): TestCard | undefined {
  const digits = number.replace(/[\s-]/g, '')
  const known = TEST_CARDS[digits]
  if (known) return { number: digits, ...known }
  // Any other Luhn-valid number of a known brand behaves like a plain successful test card.
  if (!/^\d{13,19}$/.test(digits) || !luhn(digits)) return undefined
  const brand = digits.startsWith('4')
    ? 'visa'
    : /^5[1-5]/.test(digits)
      ? 'mastercard'
      : /^3[47]/.test(digits)
        ? 'amex'
        : undefined
  return brand ? { number: digits, brand, funding: 'credit', behaviour: succeed } : undefined
}

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}
