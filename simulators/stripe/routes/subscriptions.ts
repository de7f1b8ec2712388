import { z } from 'zod'
import { cancelSubscription, changeSubscription, newSubscriptionItem, startSubscription } from '../billing.ts'
import { scheduleRealtime } from '../billing-clock.ts'
import { fail, invalidRequest } from '../errors.ts'
import type { Customer, Price } from '../models.ts'
import { assertSubscriptionActive } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { attach, resolvePaymentMethod } from '../payments.ts'
import type { StripeContext } from '../state.ts'
import { newSubscription } from '../subscriptions.ts'
import type { EventSource } from '../webhooks.ts'
import { applySubscriptionDiscounts, checkSubscriptionDiscounts, withDiscounts } from './discounts.ts'
import { taxRatesFor } from './invoice-items.ts'
import { newPrice } from './products.ts'
import { find, list, matchesGiven, mergeMetadata, respond, route, source, timeFor } from './shared.ts'

const itemInput = z.looseObject({
  id: z.string().optional(),
  price: z.string().optional(),
  price_data: z
    .looseObject({
      currency: z.string(),
      product: z.string(),
      unit_amount: z.number().optional(),
      recurring: z.looseObject({
        interval: z.enum(['day', 'week', 'month', 'year']),
        interval_count: z.number().optional(),
      }),
    })
    .optional(),
  quantity: z.number().optional(),
  deleted: z.boolean().optional(),
})

export function recurringPrice(
  ctx: StripeContext,
  item: z.infer<typeof itemInput>,
  index: number,
  at: number,
): Price {
  const param = `items[${index}][price]`
  if (item.price_data) return newPrice(ctx, at, item.price_data)
  if (!item.price) invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing')
  const price = find(ctx.state.prices, item.price!, 'price', param)
  if (price.type !== 'recurring')
    invalidRequest(
      `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      param,
    )
  return price
}

/** A default payment method must belong to the customer; a test token is cloned and attached. */
export function ownedBy(src: EventSource, customer: Customer, id: string, param: string): string {
  const pm = resolvePaymentMethod(src, id, param)
  if (!pm.customer) attach(src, pm, customer)
  else if (pm.customer !== customer.id)
    invalidRequest(
      `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      param,
    )
  return pm.id
}

export const subscriptions = [
  route({
    operation: 'subscriptions.create',
    method: 'POST',
    path: '/v1/subscriptions',
    input: withDiscounts(
      params('POST', '/v1/subscriptions', {
        ...expandShape,
        coupon: z.string().optional(),
        promotion_code: z.string().optional(),
        default_tax_rates: z.union([z.array(z.string()), z.literal('')]).optional(),
        ...metadataShape,
        customer: z.string(),
        items: z.array(itemInput).optional(),
        default_payment_method: z.string().optional(),
        payment_behavior: z
          .enum(['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'])
          .optional(),
        trial_period_days: z.number().optional(),
        cancel_at_period_end: z.boolean().optional(),
        trial_settings: z
          .looseObject({
            end_behavior: z.looseObject({
              missing_payment_method: z.enum(['cancel', 'create_invoice', 'pause']),
            }),
          })
          .optional(),
      }),
    ),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, input.customer, 'customer', 'customer')
      const src = source(req, ctx, timeFor(ctx, customer.id))
      if (!input.items?.length) invalidRequest('Missing required param: items.', 'items', 'parameter_missing')
      const prices = input.items!.map((item, i) => ({
        price: recurringPrice(ctx, item, i, src.at),
        quantity: item.quantity ?? 1,
      }))
      const dpm = input.default_payment_method
        ? ownedBy(src, customer, input.default_payment_method, 'default_payment_method')
        : null
      checkSubscriptionDiscounts(ctx, input, src.at, customer.id)
      const rates = taxRatesFor(ctx, input.default_tax_rates, 'default_tax_rates')
      const sub = newSubscription(src, customer, prices, {
        default_payment_method: dpm,
        metadata: input.metadata === '' ? {} : (input.metadata ?? {}),
        trial_period_days: input.trial_period_days,
        cancel_at_period_end: input.cancel_at_period_end,
        prepare: (s) => {
          if (input.trial_settings) s.trial_settings = input.trial_settings
          if (rates) s.default_tax_rates = rates
          applySubscriptionDiscounts(src, s, input)
        },
      })
      const behaviour = input.payment_behavior ?? 'allow_incomplete'
      const outcome = startSubscription(src, sub, { attempt: behaviour !== 'default_incomplete' })
      if (!customer.test_clock) scheduleRealtime(ctx)
      if (behaviour === 'error_if_incomplete' && outcome && outcome.kind === 'declined')
        fail(402, { ...(outcome.error as { type: 'card_error'; message: string }) })
      return respond(req, ctx, sub, input.expand)
    },
  }),
  route({
    operation: 'subscriptions.retrieve',
    method: 'GET',
    path: '/v1/subscriptions/:subscription_exposed_id',
    input: params('GET', '/v1/subscriptions/{subscription_exposed_id}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.subscriptions, req.params.subscription_exposed_id!, 'subscription', 'id'),
        input.expand,
      ),
  }),
  route({
    operation: 'subscriptions.update',
    method: 'POST',
    path: '/v1/subscriptions/:subscription_exposed_id',
    input: withDiscounts(
      params('POST', '/v1/subscriptions/{subscription_exposed_id}', {
        ...expandShape,
        ...metadataShape,
        items: z.array(itemInput).optional(),
        default_payment_method: z.string().optional(),
        cancel_at_period_end: z.boolean().optional(),
        coupon: z.string().optional(),
        promotion_code: z.string().optional(),
        default_tax_rates: z.union([z.array(z.string()), z.literal('')]).optional(),
      }),
    ),
    handler: (req, ctx, input) => {
      const sub = find(ctx.state.subscriptions, req.params.subscription_exposed_id!, 'subscription', 'id')
      assertSubscriptionActive(sub)
      const customer = ctx.state.customers.get(sub.customer)!
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const dpm = input.default_payment_method
        ? ownedBy(src, customer, input.default_payment_method, 'default_payment_method')
        : undefined
      checkSubscriptionDiscounts(ctx, input, src.at, customer.id)
      const rates = taxRatesFor(ctx, input.default_tax_rates, 'default_tax_rates')
      const newItems = (input.items ?? []).map((item, i) => ({
        item,
        price: item.price || item.price_data ? recurringPrice(ctx, item, i, src.at) : undefined,
      }))
      changeSubscription(src, sub, (s) => {
        s.metadata = mergeMetadata(s.metadata, input.metadata)
        if (input.cancel_at_period_end !== undefined) {
          s.cancel_at_period_end = input.cancel_at_period_end
          s.cancel_at = input.cancel_at_period_end ? s.current_period_end : null
          s.canceled_at = input.cancel_at_period_end ? src.at : null
        }
        if (dpm !== undefined) s.default_payment_method = dpm
        if (rates) s.default_tax_rates = rates
        applySubscriptionDiscounts(src, s, input)
        for (const { item, price } of newItems) {
          const existing = item.id ? s.items.data.find((i) => i.id === item.id) : undefined
          if (item.id && !existing)
            invalidRequest(`No such subscription item: '${item.id}'`, 'items', 'resource_missing')
          if (existing && item.deleted) {
            s.items.data = s.items.data.filter((i) => i !== existing)
            continue
          }
          if (existing) {
            if (price) existing.price = structuredClone(price)
            if (item.quantity !== undefined) existing.quantity = item.quantity
          } else if (price) {
            const added = newSubscriptionItem(ctx, s, price, item.quantity ?? 1, s.current_period_start)
            added.current_period_end = s.current_period_end
            s.items.data.push(added)
          }
        }
      })
      return respond(req, ctx, sub, input.expand)
    },
  }),
  route({
    operation: 'subscriptions.cancel',
    method: 'DELETE',
    path: '/v1/subscriptions/:subscription_exposed_id',
    input: params('DELETE', '/v1/subscriptions/{subscription_exposed_id}', {
      ...expandShape,
      invoice_now: z.boolean().optional(),
      prorate: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const sub = find(ctx.state.subscriptions, req.params.subscription_exposed_id!, 'subscription', 'id')
      if (sub.status === 'canceled')
        invalidRequest(
          `No such subscription: '${sub.id}'; the subscription has already been canceled.`,
          'id',
          'resource_missing',
        )
      cancelSubscription(source(req, ctx, timeFor(ctx, sub.customer)), sub, 'cancellation_requested')
      return respond(req, ctx, sub, input.expand)
    },
  }),
  route({
    operation: 'subscriptions.list',
    method: 'GET',
    path: '/v1/subscriptions',
    input: params('GET', '/v1/subscriptions', {
      ...listShape,
      customer: z.string().optional(),
      status: z.string().optional(),
      price: z.string().optional(),
      test_clock: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.subscriptions,
        input,
        '/v1/subscriptions',
        (s) =>
          matchesGiven(input, s, ['customer', 'test_clock']) &&
          (input.price === undefined || s.items.data.some((i) => i.price.id === input.price)) &&
          // Without `status`, Stripe lists every subscription that is not canceled.
          (input.status === undefined
            ? s.status !== 'canceled'
            : input.status === 'all' || s.status === input.status),
      ),
  }),
]
