import type { PaymentRow } from '../flows/payment-row.ts'
import { idemKey } from '../flows/payment-row.ts'
import type { TossClient } from '../providers/toss.ts'
import type { Outcome, PaymentGateway, Started } from './types.ts'

/**
 * Toss: the app's own order (orderId = our payment id) paid in Toss's payment
 * window; the window's return is confirmed server-side (flows/toss-window.ts).
 */
export class TossPaymentGateway implements PaymentGateway {
  readonly provider = 'toss' as const
  readonly currency = 'krw' as const
  constructor(private readonly toss: TossClient) {}

  method(): string {
    return 'payment_window'
  }

  async start(p: PaymentRow): Promise<Started> {
    // Nothing to create at Toss before the window opens: the order is ours.
    return { fields: { provider_order_id: p.id } }
  }

  present(p: PaymentRow, publicUrl: string) {
    return {
      toss: {
        clientKey: this.toss.config.clientKey,
        orderId: p.provider_order_id,
        orderName: p.details.orderName ?? null,
        paymentKey: p.provider_ref,
        successUrl: `${publicUrl}/v1/payments/toss/success`,
        failUrl: `${publicUrl}/v1/payments/toss/fail`,
        checkoutUrl: p.checkout_url,
      },
    }
  }

  async fetch(p: PaymentRow): Promise<Outcome> {
    const payment = await this.toss.getPaymentByOrder(p.provider_order_id ?? p.id)
    if (payment.status === 'DONE' && payment.totalAmount === p.amount)
      return { state: 'paid', providerRef: payment.paymentKey }
    if (payment.status === 'ABORTED' || payment.status === 'EXPIRED')
      return {
        state: 'failed',
        code: payment.failure?.code ?? payment.status,
        message: payment.failure?.message ?? 'The payment did not complete.',
      }
    return { state: 'open' }
  }

  async refund(p: PaymentRow): Promise<void> {
    await this.toss.cancel(
      p.provider_ref!,
      { cancelReason: 'Customer requested refund' },
      idemKey(p.id, 'refund'),
    )
  }
}
