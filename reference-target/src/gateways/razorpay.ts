import type { PaymentRow } from '../flows/payment-row.ts'
import type { RazorpayClient } from '../providers/razorpay.ts'
import type { Outcome, PaymentGateway, Started } from './types.ts'

/**
 * Razorpay: an order (receipt = our payment id) the Checkout pays; the
 * checkout's signed handler result and the webhooks prove payment.
 */
export class RazorpayPaymentGateway implements PaymentGateway {
  readonly provider = 'razorpay' as const
  readonly currency = 'inr' as const
  constructor(private readonly razorpay: RazorpayClient) {}

  method(): string {
    return 'order'
  }

  async start(p: PaymentRow): Promise<Started> {
    const order = await this.razorpay.createOrder({
      amount: p.amount,
      currency: p.currency.toUpperCase(),
      receipt: p.id,
      notes: { payment_id: p.id, user_id: p.user_id },
    })
    return { fields: { provider_order_id: order.id } }
  }

  present(p: PaymentRow) {
    return {
      razorpay: {
        keyId: this.razorpay.config.keyId,
        orderId: p.provider_order_id,
        paymentId: p.provider_ref,
        checkoutUrl: p.checkout_url,
      },
    }
  }

  async fetch(p: PaymentRow): Promise<Outcome> {
    if (!p.provider_order_id) return { state: 'open' }
    const { items } = await this.razorpay.fetchOrderPayments(p.provider_order_id)
    const paid = items.find((i) => i.status === 'captured' && i.amount >= p.amount)
    return paid ? { state: 'paid', providerRef: paid.id } : { state: 'open' }
  }

  async refund(p: PaymentRow): Promise<void> {
    // No idempotency header at Razorpay: the receipt (our payment id) is the business key.
    await this.razorpay.refund(p.provider_ref!, p.amount, p.id)
  }
}
