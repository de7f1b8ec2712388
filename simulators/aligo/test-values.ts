/**
 * The simulator's documented defaults and test inputs. Aligo itself has no
 * test credentials and no magic numbers (only `testmode_yn=Y`); these are
 * standin's, so suites can reach every branch without a console.
 */

/**
 * Sender numbers every account starts with, already "registered in the Aligo
 * console". `025114560` is the sender in Aligo's own spec examples. Register
 * others with `configureAligoAccount(..., { senders })` or the
 * `account.configure` trigger.
 */
export const DEFAULT_SENDERS = ['025114560', '01000000000', '0212345678', '15880000'] as const

/**
 * Points every account starts with (Aligo balances are KRW points): about
 * 119 000 SMS, so a shared account survives a load run; tests that need the
 * balance to run out set it (`configureAligoAccount(..., { points })`).
 */
export const DEFAULT_POINTS = 1_000_000

/**
 * Points per message. Illustrative, consistent with a captured `/remain/`
 * answer (SMS 5936, LMS 1925, MMS 831 ≈ 49 860 points at 8.4 / 25.9 / 60);
 * AlimTalk 6.5 is the `unit` in AlimTalk answers seen in the wild.
 */
export const DEFAULT_PRICES = { SMS: 8.4, LMS: 25.9, MMS: 60, ALT: 6.5 } as const

/** An API key that is always refused with -101, whatever the account: for auth-failure tests. */
export const INVALID_KEY = 'invalid-key'

/**
 * Receivers the API accepts (success_cnt) but the carrier cannot deliver:
 * nothing reaches the inbox, the points are refunded, and `/sms_list/`
 * reports `결번` (number not in service) once the report arrives.
 */
export const UNDELIVERABLE_RECEIVERS = ['01099990000', '01099990001', '01099990002'] as const

/** Virtual ms between a message leaving and its delivery report (`sms_state` 전송중 → 발송완료). */
export const REPORT_DELAY_MS = 5_000

/** Largest request body, as PHP's post_max_size would cut it (MMS images are at most a few hundred KB). */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024
