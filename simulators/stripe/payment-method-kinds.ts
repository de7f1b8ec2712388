import type { PaymentIntent, PaymentMethod } from './models.ts'
import type { EventSource } from './webhooks.ts'

export type ConfirmOutcome =
  | { kind: 'succeeded' | 'requires_capture' | 'requires_action' | 'processing' }
  | { kind: 'declined'; error: Record<string, unknown> }

export interface ConfirmOptions {
  offSession?: boolean
  returnUrl?: string
}

/**
 * What differs between kinds of PaymentMethod (a card, a US bank account): how
 * a test token becomes one, what its charge shows, and how confirming a
 * PaymentIntent with it goes. payments.ts keeps the PaymentIntent machine and
 * asks the kind; a new kind is its own file and one entry in payments.ts's list.
 */
export interface PaymentMethodKind {
  /** The PaymentMethod `type` this kind handles. */
  readonly type: string
  /** A test token of this kind (`pm_card_visa`, `pm_usBankAccount_success`) as a new PaymentMethod, else undefined. */
  fromToken(src: EventSource, token: string): PaymentMethod | undefined
  /** The `payment_method_details` of a charge made with a PaymentMethod of this kind. */
  chargeDetails(pm: PaymentMethod): Record<string, unknown>
  /** Confirms a PaymentIntent whose status allows it, with a PaymentMethod of this kind. */
  confirm(src: EventSource, pi: PaymentIntent, pm: PaymentMethod, options: ConfirmOptions): ConfirmOutcome
}
