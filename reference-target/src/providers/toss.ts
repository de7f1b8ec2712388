import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller, parseRetryAfter } from './retry.ts'

/** The part of Toss's Payment object the app reads (version 2022-11-16). */
export interface TossPayment {
  paymentKey: string
  orderId: string
  status:
    | 'READY'
    | 'IN_PROGRESS'
    | 'WAITING_FOR_DEPOSIT'
    | 'DONE'
    | 'CANCELED'
    | 'PARTIAL_CANCELED'
    | 'ABORTED'
    | 'EXPIRED'
  totalAmount: number
  balanceAmount: number
  type?: string
  failure?: { code: string; message: string } | null
}
export interface TossBilling {
  billingKey: string
  customerKey: string
}

/**
 * Toss has no Node server SDK; its own samples call the API with fetch:
 * Basic base64(secretKey + ':'), JSON bodies, Idempotency-Key on POSTs.
 */
export class TossClient {
  constructor(
    readonly config: Config['toss'],
    private readonly caller: ProviderCaller,
  ) {}

  private async request<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    return this.caller.call(
      { provider: 'toss', operation, idempotencyKey },
      async ({ idempotencyKey: key, timeoutMs }) => {
        const headers: Record<string, string> = {
          authorization: `Basic ${Buffer.from(`${this.config.secretKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        }
        if (key && method === 'POST') headers['idempotency-key'] = key
        const res = await fetch(new URL(path, this.config.baseUrl), {
          method,
          headers,
          body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        })
        const text = await res.text()
        const json = text ? (JSON.parse(text) as Record<string, unknown>) : {}
        if (!res.ok)
          throw new ProviderCallError('toss', String(json.message ?? `Toss answered ${res.status}`), {
            status: res.status,
            code: typeof json.code === 'string' ? json.code : undefined,
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()),
            body: json,
          })
        return json as T
      },
      (error) =>
        new ProviderCallError('toss', error instanceof Error ? error.message : String(error), {
          network: true,
        }),
    )
  }

  confirm(input: { paymentKey: string; orderId: string; amount: number }, key: string) {
    return this.request<TossPayment>('payments.confirm', 'POST', '/v1/payments/confirm', input, key)
  }
  getPayment(paymentKey: string) {
    return this.request<TossPayment>(
      'payments.get',
      'GET',
      `/v1/payments/${encodeURIComponent(paymentKey)}`,
      undefined,
    )
  }
  getPaymentByOrder(orderId: string) {
    return this.request<TossPayment>(
      'payments.getByOrderId',
      'GET',
      `/v1/payments/orders/${encodeURIComponent(orderId)}`,
      undefined,
    )
  }
  cancel(paymentKey: string, input: { cancelReason: string; cancelAmount?: number }, key: string) {
    return this.request<TossPayment>(
      'payments.cancel',
      'POST',
      `/v1/payments/${encodeURIComponent(paymentKey)}/cancel`,
      input,
      key,
    )
  }
  issueBillingKey(input: { authKey: string; customerKey: string }, key: string) {
    return this.request<TossBilling>(
      'billing.authorizations.issue',
      'POST',
      '/v1/billing/authorizations/issue',
      input,
      key,
    )
  }
  chargeBilling(
    billingKey: string,
    input: {
      customerKey: string
      amount: number
      orderId: string
      orderName: string
      customerEmail?: string
    },
    key: string,
  ) {
    return this.request<TossPayment>(
      'billing.charge',
      'POST',
      `/v1/billing/${encodeURIComponent(billingKey)}`,
      input,
      key,
    )
  }
}
