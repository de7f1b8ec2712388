import type { CreditNote } from './billing-objects.ts'
import { invalidRequest } from './errors.ts'
import { recompute, taxDetail } from './invoice-totals.ts'
import { markPaid } from './invoice-transitions.ts'
import type { Invoice } from './models.ts'
import { refundCharge } from './payments.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export type { CreditNote }

export interface CreditNoteInput {
  invoice: string
  amount?: number | undefined
  lines?:
    | {
        type: 'invoice_line_item' | 'custom_line_item'
        invoice_line_item?: string | undefined
        quantity?: number | undefined
        amount?: number | undefined
        unit_amount?: number | undefined
        description?: string | undefined
      }[]
    | undefined
  credit_amount?: number | undefined
  refund_amount?: number | undefined
  out_of_band_amount?: number | undefined
  reason?: string | undefined
  memo?: string | undefined
  metadata?: Record<string, string> | undefined
}

type InvoiceLine = {
  id: string
  amount: number
  quantity: number | null
  description: string | null
  discount_amounts: { amount: number; discount: string }[]
  tax_amounts: {
    amount: number
    inclusive: boolean
    tax_rate: string
    taxable_amount: number
    taxability_reason: string | null
  }[]
  tax_rates: unknown[]
}

const money = (n: number) => `$${(n / 100).toFixed(2)}`

/** The credit note's lines and totals, before anything is changed. */
function build(ctx: StripeContext, _id: string, invoice: Invoice, input: CreditNoteInput) {
  const invoiceLines = (invoice.lines as { data: InvoiceLine[] }).data
  const out: Record<string, unknown>[] = []
  const discounts = new Map<string, number>()
  let subtotal = 0
  let exclusiveTax = 0
  let inclusiveTax = 0
  const lineBase = (amount: number, extra: Record<string, unknown>) => ({
    ...blank('credit_note_line_item'),
    id: ctx.ids.mint('cnli_', 24),
    object: 'credit_note_line_item',
    amount,
    amount_excluding_tax: amount,
    discount_amount: 0,
    discount_amounts: [],
    livemode: false,
    tax_amounts: [],
    tax_rates: [],
    taxes: [],
    pretax_credit_amounts: [],
    unit_amount: null,
    unit_amount_decimal: null,
    unit_amount_excluding_tax: null,
    quantity: null,
    description: null,
    ...extra,
  })
  const entries =
    input.lines ??
    (input.amount === undefined
      ? undefined
      : [
          {
            type: 'custom_line_item' as const,
            unit_amount: input.amount,
            quantity: 1,
            description: null as unknown as string,
          },
        ])
  if (!entries || entries.length === 0)
    invalidRequest(
      'Missing required param: lines. You must pass either `amount` or `lines`.',
      'lines',
      'parameter_missing',
    )
  for (const [i, e] of entries!.entries()) {
    if (e.type === 'custom_line_item') {
      const quantity = e.quantity ?? 1
      if (e.unit_amount === undefined)
        invalidRequest(
          `Missing required param: lines[${i}][unit_amount].`,
          `lines[${i}][unit_amount]`,
          'parameter_missing',
        )
      const amount = e.unit_amount! * quantity
      subtotal += amount
      out.push(
        lineBase(amount, {
          type: 'custom_line_item',
          quantity,
          description: e.description ?? null,
          unit_amount: e.unit_amount,
          unit_amount_decimal: String(e.unit_amount),
          unit_amount_excluding_tax: String(e.unit_amount),
        }),
      )
      continue
    }
    const line = invoiceLines.find((l) => l.id === e.invoice_line_item)
    if (!line)
      invalidRequest(
        `Invalid invoice line item: ${e.invoice_line_item ?? ''}. It must belong to invoice ${invoice.id}.`,
        `lines[${i}][invoice_line_item]`,
      )
    const quantity = e.quantity ?? line!.quantity ?? 1
    const amount =
      e.amount ?? (line!.quantity ? Math.round((line!.amount * quantity) / line!.quantity) : line!.amount)
    if (amount > line!.amount)
      invalidRequest(
        `The credit amount (${money(amount)}) cannot exceed the line item's amount (${money(line!.amount)}).`,
        `lines[${i}][amount]`,
      )
    const share = line!.amount === 0 ? 0 : amount / line!.amount
    const lineDiscounts = line!.discount_amounts.map((d) => ({
      amount: Math.round(d.amount * share),
      discount: d.discount,
    }))
    const lineTaxes = line!.tax_amounts.map((t) => ({
      ...t,
      amount: Math.round(t.amount * share),
      taxable_amount: Math.round(t.taxable_amount * share),
    }))
    const discount = lineDiscounts.reduce((s, d) => s + d.amount, 0)
    for (const d of lineDiscounts) discounts.set(d.discount, (discounts.get(d.discount) ?? 0) + d.amount)
    const incl = lineTaxes.filter((t) => t.inclusive).reduce((s, t) => s + t.amount, 0)
    inclusiveTax += incl
    exclusiveTax += lineTaxes.filter((t) => !t.inclusive).reduce((s, t) => s + t.amount, 0)
    subtotal += amount
    out.push(
      lineBase(amount, {
        type: 'invoice_line_item',
        invoice_line_item: line!.id,
        quantity,
        description: line!.description,
        discount_amount: discount,
        discount_amounts: lineDiscounts,
        tax_amounts: lineTaxes,
        taxes: lineTaxes.map(taxDetail),
        pretax_credit_amounts: lineDiscounts.map((d) => ({ ...d, type: 'discount' })),
        tax_rates: structuredClone(line!.tax_rates),
        amount_excluding_tax: amount - incl,
        unit_amount: Math.round(amount / quantity),
        unit_amount_decimal: String(Math.round(amount / quantity)),
        unit_amount_excluding_tax: String(Math.round((amount - incl) / quantity)),
      }),
    )
  }
  const discountAmount = [...discounts.values()].reduce((s, a) => s + a, 0)
  const total = subtotal - discountAmount + exclusiveTax
  return {
    lines: out,
    subtotal,
    total,
    discountAmount,
    discountAmounts: [...discounts].map(([discount, amount]) => ({ amount, discount })),
    taxAmounts: out.flatMap((l) => l.tax_amounts as Parameters<typeof taxDetail>[0][]),
    inclusiveTax,
    exclusiveTax,
  }
}

export function createCreditNote(src: EventSource, invoice: Invoice, input: CreditNoteInput): CreditNote {
  const { ctx } = src
  if (invoice.status !== 'open' && invoice.status !== 'paid')
    invalidRequest(
      `You can only create a credit note for an open or paid invoice. This invoice has a status of ${invoice.status}.`,
      'invoice',
    )
  const id = ctx.ids.mint('cn_', 24)
  const built = build(ctx, id, invoice, input)
  const type = invoice.status === 'paid' ? 'post_payment' : 'pre_payment'
  const limit =
    type === 'pre_payment'
      ? invoice.amount_remaining
      : invoice.amount_paid - (invoice.post_payment_credit_notes_amount as number)
  if (built.total > limit)
    invalidRequest(
      `The credit note amount (${money(built.total)}) cannot exceed the ${type === 'pre_payment' ? 'amount remaining on the invoice' : 'amount paid on the invoice that has not been credited'} (${money(limit)}).`,
      input.lines ? 'lines' : 'amount',
    )
  let refundAmount = 0
  let creditAmount = 0
  let outOfBand = 0
  if (type === 'post_payment') {
    const given = [input.refund_amount, input.credit_amount, input.out_of_band_amount].some(
      (x) => x !== undefined,
    )
    refundAmount = input.refund_amount ?? 0
    outOfBand = input.out_of_band_amount ?? 0
    // Without a split, Stripe credits the whole amount to the customer's balance.
    creditAmount = given ? (input.credit_amount ?? 0) : built.total
    if (refundAmount + creditAmount + outOfBand !== built.total)
      invalidRequest(
        `The sum of credit amount, refund amount and out of band amount (${money(refundAmount + creditAmount + outOfBand)}) must equal the credit note amount (${money(built.total)}).`,
        'refund_amount',
      )
  } else if (input.refund_amount || input.credit_amount)
    invalidRequest(
      'You cannot refund or credit the balance for a credit note on an invoice that has not been paid.',
      input.refund_amount ? 'refund_amount' : 'credit_amount',
    )
  let refundId: string | null = null
  if (refundAmount > 0) {
    const charge = invoice.charge ? ctx.state.charges.get(invoice.charge) : undefined
    if (!charge)
      invalidRequest('This invoice was not paid with a charge that can be refunded.', 'refund_amount')
    refundId = refundCharge(src, charge!, { amount: refundAmount }).id
  }
  const count = ctx.state.creditNotes.filter((c) => c.invoice === invoice.id).length + 1
  const note: CreditNote = {
    ...(blank('credit_note') as object),
    id,
    object: 'credit_note',
    amount: built.total,
    amount_shipping: 0,
    created: src.at,
    currency: invoice.currency,
    customer: invoice.customer,
    customer_balance_transaction: null,
    discount_amount: built.discountAmount,
    discount_amounts: built.discountAmounts,
    effective_at: src.at,
    invoice: invoice.id,
    lines: { object: 'list', data: built.lines, has_more: false, url: `/v1/credit_notes/${id}/lines` },
    livemode: false,
    memo: input.memo ?? null,
    metadata: input.metadata ?? {},
    number: `${invoice.number ?? invoice.id}-CN-${String(count).padStart(2, '0')}`,
    out_of_band_amount: type === 'post_payment' ? outOfBand : null,
    pdf: `${ctx.baseUrl}/credit_notes/${id}/pdf`,
    reason: input.reason ?? null,
    refund: refundId,
    shipping_cost: null,
    status: 'issued',
    subtotal: built.subtotal,
    subtotal_excluding_tax: built.subtotal - built.inclusiveTax,
    tax_amounts: built.taxAmounts,
    total: built.total,
    total_excluding_tax: built.total - built.inclusiveTax - built.exclusiveTax,
    type,
    voided_at: null,
    // From 2025-03-31.basil: refunds as a list, taxes as total_taxes, the split by invoice status.
    refunds: refundId ? [{ amount_refunded: refundAmount, refund: refundId }] : [],
    total_taxes: built.taxAmounts.map(taxDetail),
    pre_payment_amount: type === 'pre_payment' ? built.total : 0,
    post_payment_amount: type === 'post_payment' ? built.total : 0,
    pretax_credit_amounts: built.discountAmounts.map((d) => ({ ...d, type: 'discount' })),
    _credit: creditAmount,
  }
  ctx.state.creditNotes.insert(note)
  emitEvent(src, 'credit_note.created', note)
  const before = snapshot(invoice)
  if (type === 'pre_payment') {
    invoice.pre_payment_credit_notes_amount =
      (invoice.pre_payment_credit_notes_amount as number) + built.total
    recompute(ctx, invoice)
  } else {
    invoice.post_payment_credit_notes_amount =
      (invoice.post_payment_credit_notes_amount as number) + built.total
    if (creditAmount > 0) {
      const customer = ctx.state.customers.get(invoice.customer)!
      customer.balance = ((customer.balance as number) ?? 0) - creditAmount
    }
  }
  emitEvent(src, 'invoice.updated', invoice, changed(before, invoice))
  // Crediting all that remains on an open invoice settles it.
  if (type === 'pre_payment' && invoice.amount_remaining === 0) markPaid(src, invoice, null)
  return note
}

export function voidCreditNote(src: EventSource, note: CreditNote): void {
  const { ctx } = src
  if (note.status === 'void') invalidRequest('This credit note has already been voided.', 'id')
  if (note.refund) invalidRequest('A credit note with a refund cannot be voided.', 'id')
  const invoice = ctx.state.invoices.get(note.invoice)!
  if (note.type === 'pre_payment' && invoice.status !== 'open')
    invalidRequest(
      `You can only void a credit note for an invoice that is still open. This invoice has a status of ${invoice.status}.`,
      'id',
    )
  note.status = 'void'
  note.voided_at = src.at
  emitEvent(src, 'credit_note.voided', note)
  const before = snapshot(invoice)
  if (note.type === 'pre_payment') {
    invoice.pre_payment_credit_notes_amount = (invoice.pre_payment_credit_notes_amount as number) - note.total
    recompute(ctx, invoice)
  } else {
    invoice.post_payment_credit_notes_amount =
      (invoice.post_payment_credit_notes_amount as number) - note.total
    if (note._credit > 0) {
      const customer = ctx.state.customers.get(invoice.customer)!
      customer.balance = ((customer.balance as number) ?? 0) + note._credit
    }
  }
  emitEvent(src, 'invoice.updated', invoice, changed(before, invoice))
}

const MONEY_FIELDS = [
  'amount_due',
  'amount_remaining',
  'pre_payment_credit_notes_amount',
  'post_payment_credit_notes_amount',
] as const

function snapshot(invoice: Invoice): Record<string, unknown> {
  return Object.fromEntries(MONEY_FIELDS.map((k) => [k, (invoice as Record<string, unknown>)[k]]))
}

function changed(before: Record<string, unknown>, invoice: Invoice): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(before).filter(([k, v]) => (invoice as Record<string, unknown>)[k] !== v),
  )
}
