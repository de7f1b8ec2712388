import { z } from 'zod'
import { amount, boolean, expand, integer, notes, oneOf, string } from './codec.ts'

/** Request parameters of each operation, in Razorpay's words (codec.ts). */

export const ListParams = {
  count: integer('count', { min: 1, max: 100 }),
  skip: integer('skip', { min: 0 }),
  from: integer('from', { min: 0 }),
  to: integer('to', { min: 0 }),
  'expand[]': expand,
  expand,
}

export const OrderCreateParams = z.strictObject({
  amount: amount(),
  currency: string('currency', { required: true }),
  receipt: string('receipt', { max: 40 }),
  notes,
  partial_payment: boolean('partial_payment'),
  first_payment_min_amount: integer('first_payment_min_amount', { min: 100 }),
  payment_capture: boolean('payment_capture'),
  payment: z
    .strictObject({
      capture: oneOf('payment.capture', ['automatic', 'manual'] as const),
      capture_options: z
        .object({
          automatic_expiry_period: integer('automatic_expiry_period', { min: 12 }),
          manual_expiry_period: integer('manual_expiry_period', { min: 12 }),
          refund_speed: oneOf('refund_speed', ['normal', 'optimum'] as const),
        })
        .optional(),
    })
    .optional(),
  // Accepted and ignored: real parameters of features standin does not model.
  method: z.unknown().optional(),
  customer_id: z.unknown().optional(),
  token: z.unknown().optional(),
  bank_account: z.unknown().optional(),
  offer_id: z.unknown().optional(),
  discount: z.unknown().optional(),
  transfers: z.unknown().optional(),
})

export const OrderListParams = z.object({
  ...ListParams,
  authorized: boolean('authorized'),
  receipt: string('receipt'),
})

export const NotesParams = z.strictObject({ notes })

export const PaymentListParams = z.object(ListParams)

export const PaymentFetchParams = z.object({ 'expand[]': expand, expand })

export const CaptureParams = z.strictObject({
  amount: amount(),
  currency: string('currency'),
})

export const RefundCreateParams = z.strictObject({
  amount: amount(false),
  speed: oneOf('speed', ['normal', 'optimum'] as const),
  notes,
  receipt: string('receipt', { max: 40 }),
  // Route: reverse the payment's transfers before refunding (transfers.ts).
  reverse_all: boolean('reverse_all'),
})

export const RefundListParams = z.object({ ...ListParams, payment_id: string('payment_id') })
