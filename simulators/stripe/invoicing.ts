import type { InvoiceItem, TaxRate } from './billing-objects.ts'
import { couponAmount, type Discount, discountActive } from './discounts.ts'
import { fail, invalidRequest } from './errors.ts'
import type { Customer, Invoice, Subscription } from './models.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export type { InvoiceItem, TaxRate }

/**
 * One-off invoicing: invoice items, draft invoices built from them, the
 * totals (line and invoice discounts, tax rates, credit notes), and the state
 * rules of Stripe's invoice lifecycle (draft → open → paid / void /
 * uncollectible). Subscription invoices (billing.ts) go through the same
 * `recompute`, so a coupon or a tax rate prices a renewal the same way.
 */

type Line = Record<string, unknown> & {
  id: string
  amount: number
  currency: string
  discountable: boolean
  discounts: string[]
  discount_amounts: { amount: number; discount: string }[]
  tax_rates: TaxRate[]
  tax_amounts: TaxAmount[]
  taxes: unknown[]
  type: 'invoiceitem' | 'subscription'
  invoice_item?: string
  amount_excluding_tax: number
}

interface TaxAmount {
  amount: number
  inclusive: boolean
  tax_rate: string
  taxability_reason: string | null
  taxable_amount: number
}

const lines = (invoice: Invoice) => (invoice.lines as { data: Line[] }).data

/** An invoice line for an invoice item, in both versions' fields. */
function itemLine(item: InvoiceItem): Line {
  return {
    ...blank('line_item'),
    id: item._lineId,
    object: 'line_item',
    amount: item.amount,
    amount_excluding_tax: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [...item.discounts],
    invoice_item: item.id,
    livemode: false,
    metadata: { ...item.metadata },
    period: { ...item.period },
    price: item.price ? structuredClone(item.price) : null,
    proration: item.proration,
    proration_details: { credited_items: null },
    quantity: item.quantity,
    subscription: item.subscription,
    tax_amounts: [],
    tax_rates: structuredClone(item.tax_rates),
    type: 'invoiceitem',
    unit_amount_excluding_tax: item.unit_amount_decimal,
    pricing: structuredClone(item.pricing),
    parent: {
      invoice_item_details: {
        invoice_item: item.id,
        proration: item.proration,
        proration_details: { credited_items: null },
        subscription: item.subscription,
      },
      subscription_item_details: null,
      type: 'invoice_item_details',
    },
    taxes: [],
  } as Line
}

/** Rebuilds an invoice's invoice-item lines from the items attached to it, then its totals. */
export function syncLines(ctx: StripeContext, invoice: Invoice): void {
  const kept = lines(invoice).filter((l) => l.type !== 'invoiceitem')
  const items = ctx.state.invoiceItems.filter((i) => i.invoice === invoice.id).sort((a, b) => a.date - b.date)
  ;(invoice.lines as { data: Line[] }).data = [...items.map((i) => itemLine(i)), ...kept]
  recompute(ctx, invoice)
}

/** Pulls the customer's pending invoice items onto `invoice` (Stripe does this for subscription invoices). */
export function attachPending(ctx: StripeContext, invoice: Invoice, subscription: string | null): void {
  for (const item of ctx.state.invoiceItems.all())
    if (
      item.invoice === null &&
      item.customer === invoice.customer &&
      item.currency === invoice.currency &&
      (item.subscription === null || item.subscription === subscription)
    )
      item.invoice = invoice.id
  syncLines(ctx, invoice)
}

/** The discounts an invoice carries when nothing else is said: its subscription's, else its customer's. */
export function inheritedDiscounts(_ctx: StripeContext, customer: Customer, sub?: Subscription): string[] {
  const subDiscounts = (sub?.discounts as string[] | undefined) ?? []
  if (subDiscounts.length > 0) return [...subDiscounts]
  const d = customer.discount as Discount | null | undefined
  return d ? [d.id] : []
}

/** Sets up a new subscription invoice: pending items, inherited discounts and tax rates, totals. */
export function prepareSubscriptionInvoice(ctx: StripeContext, invoice: Invoice, sub: Subscription): void {
  const customer = ctx.state.customers.get(invoice.customer)!
  invoice.discounts = inheritedDiscounts(ctx, customer, sub)
  invoice.default_tax_rates = structuredClone((sub.default_tax_rates as TaxRate[] | undefined) ?? [])
  attachPending(ctx, invoice, sub.id)
}

function taxFor(rate: TaxRate, taxable: number): TaxAmount {
  const amount = rate.inclusive
    ? taxable - Math.round(taxable / (1 + rate.percentage / 100))
    : Math.round((taxable * rate.percentage) / 100)
  return {
    amount,
    inclusive: rate.inclusive,
    tax_rate: rate.id,
    taxability_reason: null,
    taxable_amount: rate.inclusive ? taxable - amount : taxable,
  }
}

export const taxDetail = (t: TaxAmount) => ({
  amount: t.amount,
  tax_behavior: t.inclusive ? 'inclusive' : 'exclusive',
  tax_rate_details: { tax_rate: t.tax_rate },
  taxability_reason: 'standard_rated',
  taxable_amount: t.taxable_amount,
  type: 'tax_rate_details',
})

/**
 * Recomputes an invoice's money fields from its lines: line discounts, then
 * invoice discounts (percent on each discountable line, amounts off split in
 * proportion), then tax rates on what is left; credit notes and the
 * customer's balance reduce what is due.
 */
export function recompute(ctx: StripeContext, invoice: Invoice): void {
  const all = lines(invoice)
  const discountOf = (id: string) => ctx.state.discounts.get(id)
  const periodStart = invoice.period_start
  const lineDiscount = (l: Line) => l.discount_amounts.reduce((s, d) => s + d.amount, 0)
  for (const line of all) {
    line.discount_amounts = []
    for (const id of line.discounts ?? []) {
      const d = discountOf(id)
      if (!d || !discountActive(d, periodStart)) continue
      const left = line.amount - lineDiscount(line)
      line.discount_amounts.push({ amount: Math.min(left, couponAmount(d.coupon, left)), discount: id })
    }
  }
  const lineLevel = all.reduce((s, l) => s + lineDiscount(l), 0)
  const invoiceDiscounts = ((invoice.discounts as string[] | null) ?? [])
    .map(discountOf)
    .filter((d): d is Discount => !!d && discountActive(d, periodStart))
  for (const d of invoiceDiscounts) {
    const eligible = all.filter((l) => l.discountable && l.amount - lineDiscount(l) > 0)
    const base = eligible.reduce((s, l) => s + l.amount - lineDiscount(l), 0)
    if (base <= 0) continue
    if (d.coupon.percent_off !== null) {
      for (const l of eligible)
        l.discount_amounts.push({
          amount: couponAmount(d.coupon, l.amount - lineDiscount(l)),
          discount: d.id,
        })
      continue
    }
    const off = Math.min(base, d.coupon.amount_off ?? 0)
    let given = 0
    for (const [i, l] of eligible.entries()) {
      const share =
        i === eligible.length - 1 ? off - given : Math.floor((off * (l.amount - lineDiscount(l))) / base)
      given += share
      l.discount_amounts.push({ amount: share, discount: d.id })
    }
  }
  const totals = new Map<string, number>()
  const taxes = new Map<string, TaxAmount>()
  const defaultRates = (invoice.default_tax_rates as TaxRate[] | undefined) ?? []
  for (const line of all) {
    for (const d of line.discount_amounts) totals.set(d.discount, (totals.get(d.discount) ?? 0) + d.amount)
    const rates = line.tax_rates.length > 0 ? line.tax_rates : defaultRates
    const taxable = line.amount - lineDiscount(line)
    line.tax_amounts = rates.map((r) => taxFor(r, taxable))
    line.taxes = line.tax_amounts.map(taxDetail)
    const inclusive = line.tax_amounts.filter((t) => t.inclusive).reduce((s, t) => s + t.amount, 0)
    line.amount_excluding_tax = line.amount - inclusive
    for (const t of line.tax_amounts) {
      const sum = taxes.get(t.tax_rate)
      if (sum) {
        sum.amount += t.amount
        sum.taxable_amount += t.taxable_amount
      } else taxes.set(t.tax_rate, { ...t })
    }
  }
  const gross = all.reduce((s, l) => s + l.amount, 0)
  const totalDiscount = [...totals.values()].reduce((s, a) => s + a, 0)
  const taxList = [...taxes.values()]
  const inclusiveTax = taxList.filter((t) => t.inclusive).reduce((s, t) => s + t.amount, 0)
  const exclusiveTax = taxList.filter((t) => !t.inclusive).reduce((s, t) => s + t.amount, 0)
  // Stripe's subtotal already has line-item discounts taken off; invoice-level ones come after it.
  const subtotal = gross - lineLevel
  const total = gross - totalDiscount + exclusiveTax
  invoice.subtotal = subtotal
  invoice.subtotal_excluding_tax = subtotal - inclusiveTax
  invoice.total = total
  invoice.total_excluding_tax = total - inclusiveTax - exclusiveTax
  invoice.total_discount_amounts = [...totals].map(([discount, amount]) => ({ amount, discount }))
  invoice.total_tax_amounts = taxList
  invoice.total_taxes = taxList.map(taxDetail)
  invoice.tax = taxList.length > 0 ? inclusiveTax + exclusiveTax : null
  invoice.discount = invoiceDiscounts[0] ? structuredClone(invoiceDiscounts[0]) : null
  const credited = invoice.pre_payment_credit_notes_amount as number
  const balanceApplied =
    -(invoice.starting_balance as number) + ((invoice.ending_balance as number | null) ?? 0)
  invoice.amount_due = Math.max(0, total - credited - balanceApplied)
  invoice.amount_remaining = Math.max(0, invoice.amount_due - invoice.amount_paid)
}

/** At finalization a customer's credit balance (negative `balance`) pays what it can of the invoice. */
export function applyCustomerBalance(ctx: StripeContext, invoice: Invoice): void {
  const customer = ctx.state.customers.get(invoice.customer)
  const balance = (customer?.balance as number | undefined) ?? 0
  invoice.starting_balance = balance
  const applied =
    balance < 0
      ? Math.min(
          -balance,
          Math.max(0, (invoice.total as number) - (invoice.pre_payment_credit_notes_amount as number)),
        )
      : 0
  invoice.ending_balance = balance + applied
  if (customer) customer.balance = balance + applied
  recompute(ctx, invoice)
}

/** Marks the `once` discounts used by a finalized invoice as spent, and drops them from their owner. */
export function spendOnceDiscounts(src: EventSource, invoice: Invoice): void {
  const { ctx } = src
  for (const id of (invoice.discounts as string[] | null) ?? []) {
    const d = ctx.state.discounts.get(id)
    if (d?.coupon.duration !== 'once' || d.invoice === invoice.id) continue
    d._spent = true
    const sub = d.subscription ? ctx.state.subscriptions.get(d.subscription) : undefined
    if (sub) {
      sub.discounts = ((sub.discounts as string[]) ?? []).filter((x) => x !== id)
      if ((sub.discount as Discount | null)?.id === id) sub.discount = null
      emitEvent(src, 'customer.discount.deleted', { ...d, deleted: true })
    }
    const customer = d.customer ? ctx.state.customers.get(d.customer) : undefined
    if (!sub && customer && (customer.discount as Discount | null)?.id === id) {
      customer.discount = null
      emitEvent(src, 'customer.discount.deleted', { ...d, deleted: true })
    }
  }
}

// ------------------------------------------------------------ state rules

/** "Finalized invoices can't be updated in this way", naming the first field a non-draft may not change. */
export function assertEditable(invoice: Invoice, fields: string[]): void {
  if (invoice.status === 'draft') return
  const allowed = new Set([
    'metadata',
    'expand',
    'auto_advance',
    'default_payment_method',
    'footer',
    'custom_fields',
    'rendering',
    'rendering_options',
    'payment_settings',
  ])
  const refused = fields.find((f) => !allowed.has(f))
  if (refused) invalidRequest("Finalized invoices can't be updated in this way", refused)
  if (invoice.status !== 'open' && fields.some((f) => f !== 'metadata' && f !== 'expand'))
    invalidRequest(
      `You can only update the metadata of an invoice with a status of ${invoice.status}.`,
      fields.find((f) => f !== 'metadata' && f !== 'expand'),
    )
}

export function assertDraft(invoice: Invoice, message: string, param?: string): void {
  if (invoice.status !== 'draft') invalidRequest(message, param)
}

const notOpen = () => invalidRequest("You can only pass in open invoices. This invoice isn't open.")

export function assertVoidable(invoice: Invoice): void {
  if (invoice.status === 'paid') invalidRequest('Invoices with `paid` payments cannot be voided.')
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') notOpen()
}

export function assertMarkableUncollectible(invoice: Invoice): void {
  if (invoice.status === 'uncollectible')
    invalidRequest('This invoice has already been marked uncollectible.')
  if (invoice.status !== 'open') notOpen()
}

export function assertSendable(invoice: Invoice): void {
  if (invoice.status === 'paid' || invoice.status === 'void')
    invalidRequest(
      'This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact with details, so we can help.',
    )
}

// ------------------------------------------------------------ transitions

/** The invoice a credit note or an item refers to, refused unless it is in one of `statuses`. */
export function invoiceFor(ctx: StripeContext, id: string, param: string): Invoice {
  const invoice = ctx.state.invoices.get(id)
  if (!invoice)
    fail(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such invoice: '${id}'`,
      param,
    })
  return invoice!
}

export interface OneOffInput {
  currency?: string | undefined
  collection_method?: 'charge_automatically' | 'send_invoice' | undefined
  days_until_due?: number | undefined
  due_date?: number | undefined
  auto_advance?: boolean | undefined
  description?: string | undefined
  footer?: string | undefined
  metadata?: Record<string, string> | undefined
  default_payment_method?: string | null | undefined
  default_tax_rates?: TaxRate[] | undefined
  pending_invoice_items_behavior?: 'exclude' | 'include' | 'include_and_require' | undefined
}

/** A one-off draft invoice (`billing_reason: manual`), with the customer's pending items when asked. */
export function newOneOffInvoice(src: EventSource, customer: Customer, input: OneOffInput): Invoice {
  const { ctx } = src
  const id = ctx.ids.mint('in_', 24)
  const pending = ctx.state.invoiceItems.filter(
    (i) => i.invoice === null && i.customer === customer.id && i.subscription === null,
  )
  const behaviour = input.pending_invoice_items_behavior ?? 'exclude'
  if (behaviour === 'include_and_require' && pending.length === 0)
    invalidRequest('Nothing to invoice for customer', 'pending_invoice_items_behavior')
  const currency = (
    input.currency ??
    (behaviour === 'exclude' ? undefined : pending[0]?.currency) ??
    'usd'
  ).toLowerCase()
  const sendInvoice = input.collection_method === 'send_invoice'
  if (sendInvoice && input.days_until_due === undefined && input.due_date === undefined)
    invalidRequest(
      'Invoices with `collection_method=send_invoice` require either `days_until_due` or `due_date` to be set.',
      'days_until_due',
    )
  if (!sendInvoice && (input.days_until_due !== undefined || input.due_date !== undefined))
    invalidRequest(
      'Invoices with `collection_method=charge_automatically` cannot have `days_until_due` or `due_date` set.',
      input.days_until_due !== undefined ? 'days_until_due' : 'due_date',
    )
  const autoAdvance = input.auto_advance ?? false
  const invoice = {
    ...blank('invoice'),
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'standin',
    amount_due: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: autoAdvance,
    automatic_tax: { enabled: false, status: null },
    billing_reason: 'manual',
    charge: null,
    collection_method: input.collection_method ?? 'charge_automatically',
    created: src.at,
    currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    default_payment_method: input.default_payment_method ?? null,
    default_tax_rates: input.default_tax_rates ?? [],
    description: input.description ?? null,
    discounts: [],
    due_date: input.due_date ?? null,
    ending_balance: null,
    footer: input.footer ?? null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: input.metadata ?? {},
    next_payment_attempt: null,
    number: null,
    paid: false,
    paid_out_of_band: false,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: src.at,
    period_start: src.at,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    starting_balance: 0,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: null,
    subtotal: 0,
    subtotal_excluding_tax: 0,
    tax: null,
    test_clock: customer.test_clock,
    total: 0,
    total_excluding_tax: 0,
    total_discount_amounts: [],
    total_tax_amounts: [],
    discount: null,
    quote: null,
    application_fee_amount: null,
    transfer_data: null,
    subscription_details: { metadata: null },
    webhooks_delivered_at: null,
    parent: null,
    payments: { object: 'list', data: [], has_more: false, url: '/v1/invoice_payments' },
    confirmation_secret: null,
    total_taxes: [],
    amount_overpaid: 0,
    _payments: [],
    // Stripe finalizes an auto-advancing draft about an hour after it is created.
    _finalizeAt: autoAdvance ? src.at + 3600 : null,
    _daysUntilDue: input.days_until_due,
  } as unknown as Invoice
  if (behaviour !== 'exclude') for (const item of pending) if (item.currency === currency) item.invoice = id
  ctx.state.invoices.insert(invoice)
  syncLines(ctx, invoice)
  return invoice
}
