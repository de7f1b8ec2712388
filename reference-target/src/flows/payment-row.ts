import type { Queryable } from '../db/database.ts'
import type { PaymentProvider } from './schemas.ts'

/** One row of `payments`: what the app ordered and what the provider made of it. */
export interface PaymentRow {
  id: string
  user_id: string
  purpose: 'credits' | 'gift_card'
  package_id: string
  credits: number
  amount: number
  currency: string
  provider: PaymentProvider
  method: string
  status: 'created' | 'pending' | 'succeeded' | 'failed' | 'refunding' | 'refunded'
  provider_ref: string | null
  provider_order_id: string | null
  checkout_url: string | null
  client_secret: string | null
  failure_code: string | null
  failure_message: string | null
  details: Record<string, unknown>
  created_at: Date
  updated_at: Date
}

/** The provider-side references a gateway records on a payment once it exists there. */
export type ProviderFields = Partial<
  Record<'provider_ref' | 'provider_order_id' | 'checkout_url' | 'client_secret', string | null>
>

/** The idempotency key of one provider operation on one payment: every retry and the reconcile job reuse it. */
export const idemKey = (paymentId: string, op: string) => `${paymentId}:${op}`

export async function getPayment(db: Queryable, id: string): Promise<PaymentRow | undefined> {
  return (await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]))[0]
}

/** A payment by the order id its provider knows it by (Razorpay order, Toss orderId). */
export async function paymentByOrder(
  db: Queryable,
  provider: PaymentProvider,
  orderId: string,
): Promise<PaymentRow | undefined> {
  return (
    await db.query<PaymentRow>('SELECT * FROM payments WHERE provider = $1 AND provider_order_id = $2', [
      provider,
      orderId,
    ])
  )[0]
}
