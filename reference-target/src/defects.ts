import { z } from 'zod'

/**
 * The named defects a team really ships. Each is switched on by
 * REFERENCE_DEFECTS (comma-separated) and checked with `defects.has(name)` at
 * the exact line the bug lives, so `grep -rn "'<name>'" reference-target/src`
 * shows where. With every defect off, the target is correct.
 */
export const DEFECTS = {
  'skip-webhook-signature':
    'Webhook endpoints accept any body: no signature check (Stripe, Razorpay, Twilio, SendGrid) and no re-fetch of unsigned Toss events.',
  'accept-stale-webhook': 'Webhook timestamps are not checked, so an old signed event can be replayed.',
  'double-credit-on-duplicate':
    'A duplicate webhook delivery is processed again and grants credits twice (no event dedupe, no fulfilment guard).',
  'no-idempotency-key':
    'Payment calls are sent without an idempotency key, so a retried create/confirm may charge twice.',
  'no-retry-on-5xx': 'A provider 5xx, 429 or timeout fails the operation at once instead of being retried.',
  'retry-without-backoff':
    'Provider calls are retried immediately in a tight loop, ignoring backoff, jitter and Retry-After.',
  'otp-never-expires': 'OTP codes stay valid forever instead of 5 minutes.',
  'otp-no-lockout': 'Wrong OTP codes can be tried without limit (no lock after 5 tries).',
  'no-otp-rate-limit': 'OTP sends have no resend cooldown and no per-phone or per-IP limit.',
  'no-sms-failover':
    'When the SMS provider errors or times out, the OTP is not sent through the other provider.',
  'toss-trust-redirect-amount':
    'Toss confirm uses the amount from the successUrl redirect instead of the stored order amount, so a tampered amount buys the package.',
  'skip-razorpay-signature':
    'The Razorpay checkout signature (order_id|payment_id) is not verified before granting credits.',
  'gift-card-double-redeem':
    'Gift card redemption reads the balance then writes it back, so concurrent redemptions spend the same balance twice.',
  'chat-without-credit-check': 'Chat messages are sent even when the sender has no credit left.',
  'call-billing-rounds-down': 'Calls are billed per whole minute rounded down instead of per started minute.',
  'call-not-ended-on-zero-credit': 'An active call keeps running after the caller runs out of credits.',
  'failed-renewal-never-downgrades':
    'A failed subscription renewal keeps premium forever: no grace-period expiry, no downgrade.',
  'email-bounce-ignored':
    'SendGrid bounce/dropped events are ignored: the address stays "pending" and the user is never told.',
  'reconciliation-missing': 'Payments left pending (timeout after the provider charged) are never settled.',
  'underage-allowed': 'Profile set-up accepts users under 18.',
  'refund-keeps-credits': 'A refunded payment keeps its credits.',
} as const satisfies Record<string, string>

export const DefectName = z.enum(Object.keys(DEFECTS) as [keyof typeof DEFECTS, ...(keyof typeof DEFECTS)[]])
export type DefectName = z.infer<typeof DefectName>

/** The set of defects switched on for one app instance. */
export class Defects {
  private on: ReadonlySet<DefectName>
  constructor(names: readonly DefectName[] = []) {
    this.on = new Set(names)
  }
  /** Tests switch defects on a running instance instead of paying for a new one. */
  replace(names: readonly DefectName[]): void {
    this.on = new Set(names)
  }
  has(name: DefectName): boolean {
    return this.on.has(name)
  }
  list(): DefectName[] {
    return [...this.on]
  }
}
