import type { PaymentRow, ProviderFields } from '../flows/payment-row.ts'
import type { PaymentProvider } from '../flows/schemas.ts'
import type { Email } from '../providers/sendgrid.ts'

/**
 * What the flows need from a provider, in the app's terms. Flows call these
 * and never ask which provider is behind them; `registry.ts` is the one place
 * a provider name picks an implementation. Gateways make provider calls only:
 * every database write stays in the flows. What a provider *sends* (webhooks:
 * verify, parse, act) is its source in webhooks/, listed in webhooks/sources.ts.
 */

export type Currency = 'usd' | 'inr' | 'krw'

export interface StartInput {
  /** What the customer sees on the provider's page or statement. */
  orderName: string
  /** A payment method the browser already collected, to confirm server-side (where the provider has one). */
  paymentMethodId?: string | undefined
  /** Base URL of the app as browsers reach it (return URLs). */
  publicUrl: string
}

export interface Started {
  /** References to record on the payment, which then is pending. */
  fields: ProviderFields
  /** The provider refused at once (a synchronous card decline): the payment fails. */
  declined?: { code: string; message: string }
}

/** What the provider says became of a payment. */
export type Outcome =
  | { state: 'paid'; providerRef?: string | undefined; details?: Record<string, unknown> }
  | { state: 'failed'; code: string; message: string }
  | { state: 'open' }

export interface PaymentGateway {
  readonly provider: PaymentProvider
  /** The currency this provider charges prices in. */
  readonly currency: Currency
  /** The method a new payment uses; `requested` counts only where the provider offers a choice. */
  method(requested: 'payment_intent' | 'checkout' | undefined): string
  /** Creates the provider-side object of a new payment (idempotent: reconcile may replay it). */
  start(p: PaymentRow, input: StartInput): Promise<Started>
  /** The provider's part of the payment answer: what the client needs to pay, under the provider's key. */
  present(p: PaymentRow, publicUrl: string): Record<string, unknown>
  /**
   * Asks the provider what became of the payment (reconciliation). References
   * learned on the way are recorded through `remember` before anything else can fail.
   */
  fetch(p: PaymentRow, remember: (fields: ProviderFields) => Promise<void>): Promise<Outcome>
  /** Refunds the whole payment, with the payment's refund idempotency key where the provider has one. */
  refund(p: PaymentRow): Promise<void>
}

export interface SmsGateway {
  /** The name stored with each message (sms_messages.provider) and answered to the client. */
  readonly provider: string
  send(
    input: { to: string; body: string; publicUrl: string },
    options: { maxAttempts?: number },
  ): Promise<{ id: string | null; status?: string | null | undefined }>
}

export interface EmailGateway {
  send(email: Email): Promise<{ id: string | undefined }>
}

export interface Gateways {
  payment: Readonly<Record<PaymentProvider, PaymentGateway>>
  /** The SMS gateways to try for this phone, in order: the first is preferred, the rest are failover. */
  smsRoute(phone: string): SmsGateway[]
  email: EmailGateway
}
