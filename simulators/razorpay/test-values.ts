import type { FailureReason } from './errors.ts'

/**
 * Razorpay's documented test inputs (razorpay.md §8) and what each does on
 * the hosted checkout page.
 */

export interface TestCard {
  network: string
  type: 'credit' | 'debit'
  international: boolean
  /** Declined with this reason whichever button is pressed on the bank page. */
  failure?: FailureReason
}

const card = (network: string, international = false, failure?: FailureReason): TestCard => ({
  network,
  type: 'credit',
  international,
  ...(failure ? { failure } : {}),
})

export const TEST_CARDS: Record<string, TestCard> = {
  // Domestic cards that succeed (any future expiry, any CVV).
  '4100280000001007': card('Visa'),
  '5500670000001002': card('MasterCard'),
  '6527658900001005': card('RuPay'),
  '36082800091007': card('Diners Club'),
  '340256000401007': card('American Express'),
  '4718609108204366': card('Visa'),
  '5104015555555558': card('MasterCard'),
  // International cards.
  '5555555555554444': card('MasterCard', true),
  '5105105105105100': card('MasterCard', true),
  '5104060000000008': card('MasterCard', true),
  '4012888888881881': card('Visa', true),
  // Error cards (Visa / MasterCard pairs from the test-card table).
  '4100280000090000': card('Visa', false, 'payment_timed_out'),
  '5305620000060000': card('MasterCard', false, 'payment_timed_out'),
  '4100280000080001': card('Visa', false, 'insufficient_funds'),
  '5305620000050001': card('MasterCard', false, 'insufficient_funds'),
  '4100280000070002': card('Visa', false, 'payment_cancelled'),
  '5305620000040002': card('MasterCard', false, 'payment_cancelled'),
  '4100280000060003': card('Visa', false, 'card_declined'),
  '4100280000050004': card('Visa', false, 'card_declined'),
  '4100280000040005': card('Visa', false, 'card_declined'),
  '5305620000030003': card('MasterCard', false, 'card_declined'),
  '5305620000020004': card('MasterCard', false, 'card_declined'),
  '5305620000010005': card('MasterCard', false, 'card_declined'),
  '4100280000030006': card('Visa', false, 'card_disabled_for_online_payments'),
  '5305620000000006': card('MasterCard', false, 'card_disabled_for_online_payments'),
  '4100280000010008': card('Visa', false, 'card_number_invalid'),
  '5305620000080008': card('MasterCard', false, 'card_number_invalid'),
  '4100280000020007': card('Visa', false, 'gateway_technical_error'),
  '5305620000090007': card('MasterCard', false, 'gateway_technical_error'),
  '4100280000000009': card('Visa', false, 'authentication_failed'),
  '5305620000070009': card('MasterCard', false, 'authentication_failed'),
}

/** UPI ids: success@razorpay pays at once, failure@razorpay fails at once; any other id goes to the mock bank page. */
export const UPI_SUCCESS = 'success@razorpay'
export const UPI_FAILURE = 'failure@razorpay'
export const VPA = /^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$/

/** Banks offered for netbanking on the hosted page (Razorpay bank codes). */
export const BANKS: Record<string, string> = {
  HDFC: 'HDFC Bank',
  ICIC: 'ICICI Bank',
  SBIN: 'State Bank of India',
  UTIB: 'Axis Bank',
}

/** Currencies an order may be created in (a default international-enabled account). */
export const SUPPORTED_CURRENCIES = new Set([
  'INR',
  'USD',
  'EUR',
  'GBP',
  'SGD',
  'AED',
  'AUD',
  'CAD',
  'CHF',
  'HKD',
  'JPY',
  'MYR',
  'NZD',
  'SAR',
  'SEK',
  'THB',
  'ZAR',
  'KWD',
  'BHD',
  'OMR',
  'QAR',
])

/** The card an unknown (but Luhn-valid) number is taken for, by its first digits. */
export function lookupCard(number: string): TestCard | undefined {
  const known = TEST_CARDS[number]
  if (known) return known
  if (!luhn(number)) return undefined
  const network = /^4/.test(number)
    ? 'Visa'
    : /^5[1-5]|^2[2-7]/.test(number)
      ? 'MasterCard'
      : /^3[47]/.test(number)
        ? 'American Express'
        : /^6/.test(number)
          ? 'RuPay'
          : 'Unknown'
  return card(network)
}

export function luhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false
  let sum = 0
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}
