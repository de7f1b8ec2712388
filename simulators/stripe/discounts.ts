import type { Coupon, Discount, PromotionCode } from './billing-objects.ts'
import { fail, invalidRequest } from './errors.ts'
import type { Customer, Subscription } from './models.ts'
import { addInterval } from './periods.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export type { Coupon, Discount, PromotionCode }

/** The discounts parameter of customers, subscriptions, invoices and invoice items. */
export type DiscountParam = {
  coupon?: string | undefined
  promotion_code?: string | undefined
  discount?: string | undefined
}

/** A coupon is redeemable until redeem_by and while redemptions remain. */
export function couponValid(coupon: Coupon, at: number): boolean {
  if (coupon._deleted) return false
  if (coupon.redeem_by !== null && at > coupon.redeem_by) return false
  if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions) return false
  return true
}

/** Refreshes `valid`, which Stripe reports false once a coupon can no longer be redeemed. */
export function refreshValidity(coupon: Coupon, at: number): Coupon {
  coupon.valid = couponValid(coupon, at)
  return coupon
}

function missing(noun: string, id: string, param: string): never {
  // An id named in a parameter that names nothing is a 400 (a 404 is for the URL's own object).
  return fail(400, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param,
  })
}

export function findCoupon(ctx: StripeContext, id: string, param: string, at: number): Coupon {
  const coupon = ctx.state.coupons.get(id)
  if (!coupon || coupon._deleted) return missing('coupon', id, param)
  if (!couponValid(coupon, at)) invalidRequest(`Coupon expired: ${id}`, param)
  return coupon
}

export function findPromotionCode(
  ctx: StripeContext,
  id: string,
  param: string,
  at: number,
  customer: string | null,
): PromotionCode {
  const promo = ctx.state.promotionCodes.get(id)
  if (!promo) return missing('promotion code', id, param)
  if (!promo.active || (promo.expires_at !== null && at > promo.expires_at))
    invalidRequest('This promotion code is inactive.', param)
  if (promo.max_redemptions !== null && promo.times_redeemed >= promo.max_redemptions)
    invalidRequest('This promotion code has exceeded its maximum number of redemptions.', param)
  if (promo.customer && customer && promo.customer !== customer)
    invalidRequest('This promotion code cannot be redeemed by this customer.', param)
  const coupon = ctx.state.coupons.get(promo.promotion.coupon)
  if (!coupon || !couponValid(coupon, at)) invalidRequest(`Coupon expired: ${promo.promotion.coupon}`, param)
  return promo
}

export interface DiscountTarget {
  customer: string | null
  subscription?: string | null
  invoice?: string | null
  invoice_item?: string | null
}

/** Redeems a coupon (directly or through a promotion code) into a Discount for `target`. */
export function redeem(
  src: EventSource,
  coupon: Coupon,
  promo: PromotionCode | null,
  target: DiscountTarget,
): Discount {
  const { ctx } = src
  coupon.times_redeemed += 1
  refreshValidity(coupon, src.at)
  if (promo) promo.times_redeemed += 1
  const discount: Discount = {
    id: ctx.ids.mint('di_', 24),
    object: 'discount',
    checkout_session: null,
    coupon: structuredClone(coupon),
    source: { coupon: coupon.id, type: 'coupon' },
    customer: target.customer,
    end:
      coupon.duration === 'repeating' && coupon.duration_in_months
        ? addInterval(src.at, 'month', coupon.duration_in_months)
        : null,
    invoice: target.invoice ?? null,
    invoice_item: target.invoice_item ?? null,
    promotion_code: promo?.id ?? null,
    start: src.at,
    subscription: target.subscription ?? null,
    subscription_item: null,
  }
  ctx.state.discounts.insert(discount)
  return discount
}

/**
 * Resolves a `discounts` parameter (or the legacy `coupon` / `promotion_code`
 * pair) into Discounts; every id is checked before anything is redeemed, so a
 * bad entry leaves no half-applied discount behind.
 */
export function resolveDiscounts(
  src: EventSource,
  entries: DiscountParam[],
  target: DiscountTarget,
  paramOf: (index: number, field: string) => string,
): Discount[] {
  const { ctx } = src
  const plan = entries.map((entry, i) => {
    if (entry.discount) {
      const existing = ctx.state.discounts.get(entry.discount)
      if (!existing) return missing('discount', entry.discount, paramOf(i, 'discount'))
      return { existing }
    }
    if (entry.promotion_code) {
      const promo = findPromotionCode(
        ctx,
        entry.promotion_code,
        paramOf(i, 'promotion_code'),
        src.at,
        target.customer,
      )
      return { promo, coupon: ctx.state.coupons.get(promo.promotion.coupon)! }
    }
    if (entry.coupon) return { coupon: findCoupon(ctx, entry.coupon, paramOf(i, 'coupon'), src.at) }
    return invalidRequest(
      'You must specify exactly one of coupon, promotion_code, or discount.',
      paramOf(i, 'coupon'),
    )
  })
  const seen = new Set<string>()
  for (const [i, p] of plan.entries()) {
    const couponId = 'existing' in p ? p.existing!.source.coupon : p.coupon!.id
    if (seen.has(couponId))
      invalidRequest(`You cannot apply the same coupon more than once: ${couponId}.`, paramOf(i, 'coupon'))
    seen.add(couponId)
  }
  return plan.map((p) => ('existing' in p ? p.existing! : redeem(src, p.coupon!, p.promo ?? null, target)))
}

/** Checks a `discounts` parameter without redeeming anything (for objects not created yet). */
export function checkDiscounts(
  ctx: StripeContext,
  entries: DiscountParam[],
  at: number,
  customer: string | null,
  paramOf: (index: number, field: string) => string,
): void {
  for (const [i, entry] of entries.entries()) {
    if (entry.discount && !ctx.state.discounts.has(entry.discount))
      missing('discount', entry.discount, paramOf(i, 'discount'))
    else if (entry.promotion_code)
      findPromotionCode(ctx, entry.promotion_code, paramOf(i, 'promotion_code'), at, customer)
    else if (entry.coupon) findCoupon(ctx, entry.coupon, paramOf(i, 'coupon'), at)
  }
}

/** `coupon=` / `promotion_code=` (the parameters before 2025-03-31.basil) name themselves. */
export const legacyParam = (entries: DiscountParam[]) => (_i: number, field: string) =>
  entries[0]?.coupon ? 'coupon' : field

/** Applies a customer's legacy `coupon` / `promotion_code` parameter as its discount. */
export function applyCustomerCoupon(
  src: EventSource,
  customer: Customer,
  input: { coupon?: unknown; promotion_code?: unknown },
): void {
  if (input.coupon === '' || input.promotion_code === '') {
    setCustomerDiscount(src, customer, null)
    return
  }
  const wanted = legacyDiscount(input)
  if (!wanted) return
  const [discount] = resolveDiscounts(src, wanted, { customer: customer.id }, legacyParam(wanted))
  setCustomerDiscount(src, customer, discount!)
}

/** The legacy single-coupon parameters as one `discounts` entry. */
export function legacyDiscount(input: {
  coupon?: unknown
  promotion_code?: unknown
}): DiscountParam[] | undefined {
  if (typeof input.coupon === 'string' && input.coupon !== '') return [{ coupon: input.coupon }]
  if (typeof input.promotion_code === 'string' && input.promotion_code !== '')
    return [{ promotion_code: input.promotion_code }]
  return undefined
}

/** The wire form of a deleted discount. */
export function deletedDiscount(discount: Discount) {
  const { end: _end, ...rest } = discount
  return { ...rest, deleted: true }
}

/** Sets (or clears) a customer's discount, with the customer.discount.* event Stripe sends. */
export function setCustomerDiscount(src: EventSource, customer: Customer, next: Discount | null): void {
  const current = (customer.discount as Discount | null | undefined) ?? null
  customer.discount = next
  if (next && current) emitEvent(src, 'customer.discount.updated', next, { coupon: current.coupon })
  else if (next) emitEvent(src, 'customer.discount.created', next)
  else if (current) emitEvent(src, 'customer.discount.deleted', deletedDiscount(current))
}

/** Sets a subscription's discounts (ids) and its legacy single `discount`, with customer.discount.* events. */
export function setSubscriptionDiscounts(src: EventSource, sub: Subscription, next: Discount[]): void {
  const { ctx } = src
  const before = (sub.discounts as string[] | undefined) ?? []
  const ids = next.map((d) => d.id)
  sub.discounts = ids
  sub.discount = next[0] ?? null
  for (const id of before)
    if (!ids.includes(id)) {
      const d = ctx.state.discounts.get(id)
      if (d) emitEvent(src, 'customer.discount.deleted', deletedDiscount(d))
    }
  for (const d of next) if (!before.includes(d.id)) emitEvent(src, 'customer.discount.created', d)
}

/** Whether a discount still applies to an invoice covering a period that starts at `at`. */
export function discountActive(discount: Discount, at: number): boolean {
  if (discount._spent) return false
  return discount.end === null || at < discount.end
}

/** What a coupon takes off `base` (an amount in the coupon's currency). */
export function couponAmount(coupon: Coupon, base: number): number {
  if (coupon.percent_off !== null) return Math.round((base * coupon.percent_off) / 100)
  return Math.min(base, coupon.amount_off ?? 0)
}
