// One-off invoices: creating a draft; totals are in invoice-totals.ts, state rules in invoice-rules.ts.
import type { InvoiceItem, TaxRate } from './billing-objects.ts'
import { invalidRequest } from './errors.ts'
import { syncLines } from './invoice-totals.ts'
import type { Customer, Invoice } from './models.ts'
import { blank } from './spec.ts'
import type { EventSource } from './webhooks.ts'

export type { InvoiceItem, TaxRate }

/**
 * One-off invoicing: invoice items, draft invoices built from them, the
 * totals (line and invoice discounts, tax rates, credit notes), and the state
 * rules of Stripe's invoice lifecycle (draft → open → paid / void /
 * uncollectible). Subscription invoices (billing.ts) go through the same
 * `recompute`, so a coupon or a tax rate prices a renewal the same way.
 */

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
