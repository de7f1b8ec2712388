/**
 * Drives the hosted checkout over plain HTTP (no browser), the way a
 * customer's form posts would: for API tests and journeys that need a paid
 * order. Browser tests use the page itself (checkout.pw.ts).
 *
 * @example
 * const result = await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa: 'success@razorpay' })
 * // result.response.razorpay_signature
 */
export type PayInput =
  | { method: 'upi'; vpa: string; outcome?: Outcome }
  | { method: 'card'; number: string; outcome?: Outcome }
  | { method: 'netbanking'; bank: string; outcome?: Outcome }
export type Outcome = 'success' | 'failure' | 'cancel'

export type PayResult =
  | {
      ok: true
      response: { razorpay_payment_id: string; razorpay_order_id: string; razorpay_signature: string }
    }
  | {
      ok: false
      status: number
      reason: string | undefined
      description: string | undefined
      paymentId: string | undefined
    }

const testid = (html: string, id: string) => new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1]

async function post(url: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })
  return { status: response.status, html: await response.text() }
}

export async function payOrder(baseUrl: string, orderId: string, input: PayInput): Promise<PayResult> {
  const fields: Record<string, string> =
    input.method === 'upi'
      ? { method: 'upi', vpa: input.vpa }
      : input.method === 'card'
        ? {
            method: 'card',
            'card[number]': input.number,
            'card[expiry]': '12/30',
            'card[cvv]': '123',
            'card[name]': 'Test',
          }
        : { method: 'netbanking', bank: input.bank }
  let page = await post(`${baseUrl}/checkout/${orderId}/pay`, fields)
  const paymentOnBankPage = testid(page.html, 'payment-id')
  if (paymentOnBankPage)
    page = await post(`${baseUrl}/checkout/payments/${paymentOnBankPage}/complete`, {
      outcome: input.outcome ?? 'success',
    })
  const paymentId = testid(page.html, 'razorpay_payment_id')
  if (paymentId)
    return {
      ok: true,
      response: {
        razorpay_payment_id: paymentId,
        razorpay_order_id: testid(page.html, 'razorpay_order_id')!,
        razorpay_signature: testid(page.html, 'razorpay_signature')!,
      },
    }
  return {
    ok: false,
    status: page.status,
    reason: testid(page.html, 'error-reason'),
    description: testid(page.html, 'error-description') ?? /role="alert">([^<]*)</.exec(page.html)?.[1],
    paymentId: paymentOnBankPage,
  }
}
