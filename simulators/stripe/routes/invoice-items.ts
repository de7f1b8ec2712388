import { z } from 'zod'
import { type DiscountParam, type DiscountTarget, resolveDiscounts } from '../discounts.ts'
import { fail, invalidRequest } from '../errors.ts'
import { invoiceFor } from '../invoice-rules.ts'
import { syncLines } from '../invoice-totals.ts'
import type { InvoiceItem, TaxRate } from '../invoicing.ts'
import type { Invoice, Price } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { type EventSource, emitEvent } from '../webhooks.ts'
import { withDiscounts } from './discounts.ts'
import { newPrice } from './products.ts'
import { find, list, matchesGiven, mergeMetadata, respond, route, source, timeFor } from './shared.ts'

/**
 * Invoice items: charges waiting for an invoice (pending), or lines of a
 * draft invoice. Only a pending item or one on a draft may change; Stripe
 * sends invoiceitem.created and invoiceitem.deleted (there is no .updated).
 */
/** `discounts` of an invoice or an invoice item: entries to resolve, or '' for none. */
export const discountsShape = z
  .union([
    z.array(
      z.looseObject({
        coupon: z.string().optional(),
        promotion_code: z.string().optional(),
        discount: z.string().optional(),
      }),
    ),
    z.literal(''),
  ])
  .optional()

/** The ids of the discounts `given` for `target` ('' gives none), each entry named `discounts[i][field]` in errors. */
export function discountIds(
  src: EventSource,
  given: Exclude<z.output<typeof discountsShape>, undefined>,
  target: DiscountTarget,
): string[] {
  if (given === '') return []
  return resolveDiscounts(src, given as DiscountParam[], target, (i, f) => `discounts[${i}][${f}]`).map(
    (d) => d.id,
  )
}

/** From 2025-03-31.basil the SDK sends `pricing[price]` where older versions send `price`. */
const pricingToPrice = (value: unknown) => {
  if (!value || typeof value !== 'object' || !('pricing' in value)) return value
  const { pricing, ...rest } = value as { pricing?: { price?: string } }
  return pricing?.price === undefined ? rest : { ...rest, price: pricing.price }
}

const itemFields = {
  ...expandShape,
  ...metadataShape,
  amount: z.number().optional(),
  currency: z.string().optional(),
  description: z.string().optional(),
  discountable: z.boolean().optional(),
  discounts: discountsShape,
  invoice: z.string().optional(),
  period: z.looseObject({ start: z.number(), end: z.number() }).optional(),
  price: z.string().optional(),
  price_data: z
    .looseObject({ currency: z.string(), product: z.string(), unit_amount: z.number().optional() })
    .optional(),
  quantity: z.number().optional(),
  subscription: z.string().optional(),
  tax_rates: z.union([z.array(z.string()), z.literal('')]).optional(),
  unit_amount: z.number().optional(),
  unit_amount_decimal: z.string().optional(),
}

export function taxRatesFor(
  ctx: StripeContext,
  ids: string[] | '' | undefined,
  param: string,
): TaxRate[] | undefined {
  if (ids === undefined) return undefined
  if (ids === '') return []
  return ids.map((id, i) => {
    const rate = ctx.state.taxRates.get(id)
    if (!rate)
      fail(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such tax rate: '${id}'`,
        param: `${param}[${i}]`,
      })
    return structuredClone(rate!)
  })
}

/** A draft the item may join; any other status refuses, as Stripe does. */
function draftInvoice(ctx: StripeContext, id: string, customer: string): Invoice {
  const invoice = invoiceFor(ctx, id, 'invoice')
  if (invoice.status !== 'draft')
    invalidRequest(
      `You can only add invoice items to draft invoices. Invoice ${id} has a status of ${invoice.status}.`,
      'invoice',
    )
  if (invoice.customer !== customer)
    invalidRequest(`The invoice ${id} belongs to another customer than the invoice item.`, 'invoice')
  return invoice
}

function assertChangeable(ctx: StripeContext, item: InvoiceItem, verb: string): void {
  const invoice = item.invoice ? ctx.state.invoices.get(item.invoice) : undefined
  if (invoice && invoice.status !== 'draft')
    invalidRequest(
      `The invoice item ${item.id} cannot be ${verb} because it is attached to invoice ${invoice.id}, which is no longer a draft.`,
      'id',
    )
}

type ItemInput = z.infer<z.ZodObject<typeof itemFields>>

/** Price, quantity and amount of an item from its parameters (amount, or price, or price_data, or unit_amount). */
function pricing(ctx: StripeContext, at: number, input: ItemInput, current?: InvoiceItem) {
  let price: Price | null = current?.price ?? null
  if (input.price) {
    price = find(ctx.state.prices, input.price, 'price', 'price')
    if (price.type !== 'one_time')
      invalidRequest(
        'The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.',
        'price',
      )
  } else if (input.price_data) price = newPrice(ctx, at, input.price_data)
  const quantity = input.quantity ?? current?.quantity ?? 1
  const unit =
    input.price || input.price_data
      ? (price!.unit_amount ?? 0)
      : (input.unit_amount ??
        (input.unit_amount_decimal !== undefined ? Math.round(Number(input.unit_amount_decimal)) : undefined))
  if (input.amount !== undefined) {
    if (input.price || input.price_data)
      invalidRequest('You may only specify one of these parameters: amount, price.', 'amount')
    return { price: null, quantity: 1, amount: input.amount, unit: input.amount }
  }
  if (unit !== undefined)
    return { price: input.price || input.price_data ? price : null, quantity, amount: unit * quantity, unit }
  if (current) {
    const u = current.unit_amount ?? current.amount
    return { price: current.price, quantity, amount: u * quantity, unit: u }
  }
  return invalidRequest(
    'Missing required param: amount. You must pass one of amount, price, price_data or unit_amount.',
    'amount',
    'parameter_missing',
  )
}

export function newInvoiceItem(src: EventSource, customerId: string, input: ItemInput): InvoiceItem {
  const { ctx } = src
  const customer = find(ctx.state.customers, customerId, 'customer', 'customer')
  if (customer.deleted) invalidRequest(`No such customer: '${customerId}'`, 'customer', 'resource_missing')
  const invoice = input.invoice ? draftInvoice(ctx, input.invoice, customer.id) : undefined
  const sub = input.subscription
    ? find(ctx.state.subscriptions, input.subscription, 'subscription', 'subscription')
    : undefined
  const priced = pricing(ctx, src.at, input)
  const currency = (priced.price?.currency ?? input.currency ?? invoice?.currency)?.toLowerCase()
  if (!currency) invalidRequest('Missing required param: currency.', 'currency', 'parameter_missing')
  if (invoice && invoice.currency !== currency)
    invalidRequest(
      `The currency of the invoice item (${currency}) must match the invoice's currency (${invoice.currency}).`,
      'currency',
    )
  const id = ctx.ids.mint('ii_', 24)
  const item = {
    ...blank('invoiceitem'),
    id,
    object: 'invoiceitem',
    amount: priced.amount,
    currency: currency!,
    customer: customer.id,
    date: src.at,
    description: input.description ?? null,
    discountable: input.discountable ?? true,
    discounts: [],
    invoice: invoice?.id ?? null,
    livemode: false,
    metadata: mergeMetadata({}, input.metadata),
    period: input.period ?? { start: src.at, end: src.at },
    price: priced.price ? structuredClone(priced.price) : null,
    proration: false,
    quantity: priced.quantity,
    subscription: sub?.id ?? null,
    tax_rates: taxRatesFor(ctx, input.tax_rates, 'tax_rates') ?? [],
    test_clock: customer.test_clock,
    unit_amount: priced.unit,
    unit_amount_decimal: String(priced.unit),
    parent: sub ? { subscription_details: { subscription: sub.id }, type: 'subscription_details' } : null,
    pricing: {
      ...(priced.price ? { price_details: { price: priced.price.id, product: priced.price.product } } : {}),
      type: 'price_details',
      unit_amount_decimal: String(priced.unit),
    },
    proration_details: { credited_items: null, discount_amounts: [] },
    _lineId: ctx.ids.mint('il_', 24),
  } as unknown as InvoiceItem
  if (input.discounts !== undefined && input.discounts !== '')
    item.discounts = discountIds(src, input.discounts, { customer: customer.id, invoice_item: id })
  ctx.state.invoiceItems.insert(item)
  emitEvent(src, 'invoiceitem.created', item)
  if (invoice) syncLines(ctx, invoice)
  return item
}

export const invoiceItems = [
  route({
    operation: 'invoiceitems.create',
    method: 'POST',
    path: '/v1/invoiceitems',
    input: z.preprocess(
      pricingToPrice,
      withDiscounts(params('POST', '/v1/invoiceitems', { ...itemFields, customer: z.string() })),
    ),
    handler: (req, ctx, input) => {
      const src = source(req, ctx, timeFor(ctx, input.customer))
      return respond(req, ctx, newInvoiceItem(src, input.customer, input), input.expand)
    },
  }),
  route({
    operation: 'invoiceitems.retrieve',
    method: 'GET',
    path: '/v1/invoiceitems/:invoiceitem',
    input: params('GET', '/v1/invoiceitems/{invoiceitem}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.invoiceItems, req.params.invoiceitem!, 'invoiceitem', 'invoiceitem'),
        input.expand,
      ),
  }),
  route({
    operation: 'invoiceitems.update',
    method: 'POST',
    path: '/v1/invoiceitems/:invoiceitem',
    input: z.preprocess(
      pricingToPrice,
      withDiscounts(params('POST', '/v1/invoiceitems/{invoiceitem}', itemFields)),
    ),
    handler: (req, ctx, input) => {
      const item = find(ctx.state.invoiceItems, req.params.invoiceitem!, 'invoiceitem', 'invoiceitem')
      assertChangeable(ctx, item, 'updated')
      const src = source(req, ctx, timeFor(ctx, item.customer))
      const repriced =
        input.amount !== undefined ||
        input.price !== undefined ||
        input.price_data !== undefined ||
        input.quantity !== undefined ||
        input.unit_amount !== undefined ||
        input.unit_amount_decimal !== undefined
      if (repriced) {
        const priced = pricing(ctx, src.at, input, item)
        item.amount = priced.amount
        item.quantity = priced.quantity
        item.unit_amount = priced.unit
        item.unit_amount_decimal = String(priced.unit)
        item.price = priced.price ? structuredClone(priced.price) : null
        item.pricing = {
          ...(priced.price
            ? { price_details: { price: priced.price.id, product: priced.price.product } }
            : {}),
          type: 'price_details',
          unit_amount_decimal: String(priced.unit),
        }
      }
      if (input.description !== undefined) item.description = input.description
      if (input.discountable !== undefined) item.discountable = input.discountable
      if (input.period !== undefined) item.period = input.period
      item.metadata = mergeMetadata(item.metadata, input.metadata)
      const rates = taxRatesFor(ctx, input.tax_rates, 'tax_rates')
      if (rates) item.tax_rates = rates
      if (input.discounts !== undefined)
        item.discounts = discountIds(src, input.discounts, { customer: item.customer, invoice_item: item.id })
      const invoice = item.invoice ? ctx.state.invoices.get(item.invoice) : undefined
      if (invoice) syncLines(ctx, invoice)
      return respond(req, ctx, item, input.expand)
    },
  }),
  route({
    operation: 'invoiceitems.delete',
    method: 'DELETE',
    path: '/v1/invoiceitems/:invoiceitem',
    handler: (req, ctx) => {
      const item = find(ctx.state.invoiceItems, req.params.invoiceitem!, 'invoiceitem', 'invoiceitem')
      assertChangeable(ctx, item, 'deleted')
      ctx.state.invoiceItems.delete(item.id)
      emitEvent(source(req, ctx, timeFor(ctx, item.customer)), 'invoiceitem.deleted', item)
      const invoice = item.invoice ? ctx.state.invoices.get(item.invoice) : undefined
      if (invoice) syncLines(ctx, invoice)
      return { status: 200, body: { id: item.id, object: 'invoiceitem', deleted: true } }
    },
  }),
  route({
    operation: 'invoiceitems.list',
    method: 'GET',
    path: '/v1/invoiceitems',
    input: params('GET', '/v1/invoiceitems', {
      ...listShape,
      customer: z.string().optional(),
      invoice: z.string().optional(),
      pending: z.boolean().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.invoiceItems,
        input,
        '/v1/invoiceitems',
        (i) =>
          matchesGiven(input, i, ['customer', 'invoice']) &&
          (input.pending === undefined || (i.invoice === null) === input.pending),
      ),
  }),
]
