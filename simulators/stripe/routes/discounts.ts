import { z } from 'zod'
import { wire } from '../codec.ts'
import {
  checkDiscounts,
  type Discount,
  type DiscountParam,
  deletedDiscount,
  legacyDiscount,
  legacyParam,
  resolveDiscounts,
  setCustomerDiscount,
  setSubscriptionDiscounts,
} from '../discounts.ts'
import { fail } from '../errors.ts'
import type { Subscription } from '../models.ts'
import type { StripeContext } from '../state.ts'
import type { EventSource } from '../webhooks.ts'
import { find, route, source, timeFor, versionOf } from './shared.ts'

/**
 * Discounts on customers and subscriptions: the delete endpoints, and the
 * `discounts` parameter of Subscriptions, which the bundled 2023-08-16 spec
 * lacks (it arrived with stackable discounts) and is checked here.
 */
const ENTRY_KEYS = new Set(['coupon', 'promotion_code', 'discount'])

/** Lets `discounts` through a spec-checked input that predates it, checking its shape here. */
export function withDiscounts<T extends z.ZodType>(schema: T) {
  return z.unknown().transform((value, zctx) => {
    let rest = value
    let discounts: DiscountParam[] | '' | undefined
    if (value && typeof value === 'object' && 'discounts' in value) {
      const { discounts: raw, ...others } = value as { discounts?: unknown }
      rest = others
      const problem = (message: string, param: string, code?: string) => {
        zctx.addIssue({ code: 'custom', message, params: { param, stripeCode: code } })
        return z.NEVER
      }
      if (raw === '') discounts = ''
      else if (!Array.isArray(raw)) return problem('Invalid array', 'discounts')
      else {
        for (const [i, entry] of raw.entries()) {
          if (!entry || typeof entry !== 'object') return problem('Invalid object', `discounts[${i}]`)
          for (const key of Object.keys(entry))
            if (!ENTRY_KEYS.has(key))
              return problem(
                `Received unknown parameter: discounts[${i}][${key}]`,
                `discounts[${i}][${key}]`,
                'parameter_unknown',
              )
        }
        discounts = raw as DiscountParam[]
      }
    }
    const parsed = schema.safeParse(rest)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) zctx.addIssue(issue as never)
      return z.NEVER
    }
    return { ...(parsed.data as object), discounts } as z.output<T> & {
      discounts: DiscountParam[] | '' | undefined
    }
  })
}

type SubDiscountInput = {
  discounts?: DiscountParam[] | '' | undefined
  coupon?: string | undefined
  promotion_code?: string | undefined
}

/** What a subscription request asks for: `discounts`, or the legacy `coupon` / `promotion_code`; '' clears. */
export function wantedDiscounts(
  input: SubDiscountInput,
): { entries: DiscountParam[]; param: (i: number, f: string) => string } | undefined {
  if (input.discounts === '' || input.coupon === '' || input.promotion_code === '')
    return { entries: [], param: (i, f) => `discounts[${i}][${f}]` }
  if (input.discounts) return { entries: input.discounts, param: (i, f) => `discounts[${i}][${f}]` }
  const legacy = legacyDiscount(input)
  return legacy ? { entries: legacy, param: legacyParam(legacy) } : undefined
}

export function checkSubscriptionDiscounts(
  ctx: StripeContext,
  input: SubDiscountInput,
  at: number,
  customer: string,
) {
  const wanted = wantedDiscounts(input)
  if (wanted) checkDiscounts(ctx, wanted.entries, at, customer, wanted.param)
  return wanted
}

export function applySubscriptionDiscounts(
  src: EventSource,
  sub: Subscription,
  input: SubDiscountInput,
): void {
  const wanted = wantedDiscounts(input)
  if (!wanted) return
  const discounts = resolveDiscounts(
    src,
    wanted.entries,
    { customer: sub.customer, subscription: sub.id },
    wanted.param,
  )
  setSubscriptionDiscounts(src, sub, discounts)
}

function deleted(req: Parameters<typeof versionOf>[0], ctx: StripeContext, discount: Discount) {
  return { status: 200, body: wire(deletedDiscount(discount), versionOf(req), ctx.state) }
}

export const discountRoutes = [
  route({
    operation: 'customers.delete_discount',
    method: 'DELETE',
    path: '/v1/customers/:customer/discount',
    handler: (req, ctx) => {
      const customer = find(ctx.state.customers, req.params.customer!, 'customer', 'customer')
      const discount = customer.discount as Discount | null
      if (!discount)
        fail(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No active discount for customer: '${customer.id}'`,
        })
      setCustomerDiscount(source(req, ctx, timeFor(ctx, customer.id)), customer, null)
      return deleted(req, ctx, discount!)
    },
  }),
  route({
    operation: 'subscriptions.delete_discount',
    method: 'DELETE',
    path: '/v1/subscriptions/:subscription_exposed_id/discount',
    handler: (req, ctx) => {
      const sub = find(
        ctx.state.subscriptions,
        req.params.subscription_exposed_id!,
        'subscription',
        'subscription_exposed_id',
      )
      const ids = (sub.discounts as string[] | undefined) ?? []
      const discount = ids.length > 0 ? ctx.state.discounts.get(ids[0]!) : undefined
      if (!discount)
        fail(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No active discount for subscription: '${sub.id}'`,
        })
      setSubscriptionDiscounts(source(req, ctx, timeFor(ctx, sub.customer)), sub, [])
      return deleted(req, ctx, discount!)
    },
  }),
]
