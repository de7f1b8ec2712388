import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { getPayment } from './payment-row.ts'
import { fulfil, presentPayment } from './payments.ts'
import { IdParams } from './schemas.ts'

/**
 * Razorpay Checkout's handler result: the browser posts the signed
 * (order_id, payment_id) pair, which proves payment once the signature
 * verifies — a proof only Razorpay gives, so this flow talks to its client.
 */
const PROVIDER = 'razorpay'

export function razorpayCheckoutRoutes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/payments/:id/razorpay/verify',
      operationId: 'verifyRazorpayPayment',
      summary:
        "Razorpay Checkout's handler result: verifies razorpay_signature (HMAC of order_id|payment_id), then grants credits.",
      tag: 'payments',
      params: IdParams,
      body: z.object({
        razorpay_payment_id: z.string().min(1).max(64),
        razorpay_order_id: z.string().min(1).max(64),
        razorpay_signature: z.string().min(1).max(256),
      }),
      errors: { 400: 'signature or order mismatch' },
      handler: async ({ user, params, body }) => {
        const p = await getPayment(ctx.db, params.id)
        if (!p || p.user_id !== user.id) throw notFound('Payment', 'id')
        if (p.provider !== PROVIDER)
          throw new ApiError(400, 'invalid_request', 'Not a Razorpay payment.', 'id')
        if (body.razorpay_order_id !== p.provider_order_id)
          throw new ApiError(
            400,
            'order_mismatch',
            'razorpay_order_id is not the order of this payment.',
            'razorpay_order_id',
          )
        const valid =
          ctx.defects.has('skip-razorpay-signature') ||
          ctx.providers.razorpay.verifyCheckout(
            body.razorpay_order_id,
            body.razorpay_payment_id,
            body.razorpay_signature,
          )
        if (!valid)
          throw new ApiError(
            400,
            'invalid_signature',
            'razorpay_signature does not verify.',
            'razorpay_signature',
          )
        await fulfil(ctx, p.id, {
          source: 'razorpay-checkout-signature',
          providerRef: body.razorpay_payment_id,
        })
        return presentPayment(ctx, (await getPayment(ctx.db, p.id))!)
      },
    }),
  ]
}
