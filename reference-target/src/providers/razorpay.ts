import Razorpay from 'razorpay'
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js'
import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller } from './retry.ts'

function toError(error: unknown): ProviderCallError {
  // razorpay-node rejects with a plain object { statusCode, error } for HTTP errors,
  // and with a TypeError from its own normalizeError when there was no response at all.
  const e = error as {
    statusCode?: number
    error?: { code?: string; description?: string }
    message?: string
  }
  if (typeof e.statusCode === 'number')
    return new ProviderCallError('razorpay', e.error?.description ?? `Razorpay answered ${e.statusCode}`, {
      status: e.statusCode,
      code: e.error?.code,
      body: e.error,
    })
  return new ProviderCallError('razorpay', e.message ?? String(error), { network: true })
}

export interface RazorpayOrder {
  id: string
  amount: number
  currency: string
  receipt?: string
  status: string
}
export interface RazorpayPayment {
  id: string
  order_id: string
  amount: number
  currency: string
  status: string
}

export class RazorpayClient {
  private readonly sdk: Razorpay
  constructor(
    readonly config: Config['razorpay'],
    private readonly caller: ProviderCaller,
  ) {
    this.sdk = new Razorpay({ key_id: config.keyId, key_secret: config.keySecret })
    // The constructor hard-codes api.razorpay.com; its axios instance is the supported knob.
    const rq = (this.sdk.api as unknown as { rq: { defaults: Record<string, unknown> } }).rq
    rq.defaults.baseURL = config.baseUrl
    rq.defaults.proxy = false
    rq.defaults.timeout = caller.timeoutMs
  }

  /**
   * Razorpay has no idempotency header; the receipt (our payment id) is the
   * business key, and a retried create is reconciled by listing by receipt.
   */
  createOrder(input: { amount: number; currency: string; receipt: string; notes: Record<string, string> }) {
    return this.caller.call(
      { provider: 'razorpay', operation: 'orders.create' },
      () => this.sdk.orders.create(input) as Promise<unknown> as Promise<RazorpayOrder>,
      toError,
    )
  }
  fetchOrderPayments(orderId: string) {
    return this.caller.call(
      { provider: 'razorpay', operation: 'orders.fetchPayments' },
      () =>
        this.sdk.orders.fetchPayments(orderId) as Promise<unknown> as Promise<{ items: RazorpayPayment[] }>,
      toError,
    )
  }
  fetchPayment(paymentId: string) {
    return this.caller.call(
      { provider: 'razorpay', operation: 'payments.fetch' },
      () => this.sdk.payments.fetch(paymentId) as Promise<unknown> as Promise<RazorpayPayment>,
      toError,
    )
  }
  refund(paymentId: string, amount: number, receipt: string) {
    return this.caller.call(
      { provider: 'razorpay', operation: 'payments.refund' },
      () =>
        this.sdk.payments.refund(paymentId, { amount, receipt }) as Promise<unknown> as Promise<{
          id: string
          status: string
        }>,
      toError,
    )
  }

  /** Checkout proof: HMAC-SHA256(key_secret, order_id|payment_id), checked with the SDK's own helper. */
  verifyCheckout(orderId: string, paymentId: string, signature: string): boolean {
    try {
      return validatePaymentVerification(
        { order_id: orderId, payment_id: paymentId },
        signature,
        this.config.keySecret,
      )
    } catch {
      return false
    }
  }

  verifyWebhook(raw: Buffer, signature: string): boolean {
    try {
      return Razorpay.validateWebhookSignature(raw.toString('utf8'), signature, this.config.webhookSecret)
    } catch {
      return false
    }
  }
}
