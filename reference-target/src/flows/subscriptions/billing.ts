import { z } from 'zod'
import type { PremiumBilling } from './model.ts'
import { StripeSubscribe, stripeBilling } from './stripe.ts'
import { TossSubscribe, tossBilling } from './toss.ts'

/**
 * The one place a provider name picks how Premium is billed: each provider's
 * body schema (the API's `POST /v1/subscriptions` is their union) and its billing.
 */
export const SubscribeBody = z.discriminatedUnion('provider', [StripeSubscribe, TossSubscribe])
export type SubscribeBody = z.output<typeof SubscribeBody>

const BILLING: { [P in SubscribeBody['provider']]: PremiumBilling<Extract<SubscribeBody, { provider: P }>> } =
  {
    stripe: stripeBilling,
    toss: tossBilling,
  }

/** The billing of a subscribe request's provider, typed for that request's body. */
export function billingFor<B extends SubscribeBody>(body: B): PremiumBilling<B> {
  return BILLING[body.provider] as PremiumBilling<B>
}

/** The billing of a stored subscription (its provider column). */
export function billingOf(provider: string): PremiumBilling<never> | undefined {
  return (BILLING as Record<string, PremiumBilling<never>>)[provider]
}

export const allBillings = (): PremiumBilling<never>[] => Object.values(BILLING)
