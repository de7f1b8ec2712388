import { z } from 'zod'

/** E.164: a plus, a country code, up to 15 digits. */
export const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +821012345678')
export const Email = z.email().max(254)
export const Id = z.string().min(1).max(64)
export const IdParams = z.object({ id: Id })
export const PaymentProvider = z.enum(['stripe', 'razorpay', 'toss'])
export type PaymentProvider = z.infer<typeof PaymentProvider>
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
})
