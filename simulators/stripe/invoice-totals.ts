// An invoice's lines and totals (items, discounts, tax, customer balance): the arithmetic alone.
import type { InvoiceItem, TaxRate } from './billing-objects.ts'
import { couponAmount, type Discount, discountActive } from './discounts.ts'
import type { Customer, Invoice, Subscription } from './models.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

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
