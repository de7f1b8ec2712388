import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Invoice items, one-off invoices and credit notes through the official
 * library: the state rules of each status, the totals, and the events of each
 * step (answers in the bundled spec's version are checked against it).
 */
const h = useHarness()

async function payer(s: Stripe, email = 'payer@example.com') {
  const customer = await s.customers.create({ email, payment_method: 'pm_card_visa' })
  const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
  await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
  return customer
}

const types = async (s: Stripe, prefix: string) =>
  (await s.events.list({ type: `${prefix}.*`, limit: 100 })).data.map((e) => e.type).reverse()

describe('invoice items', () => {
  it('creates, retrieves, updates, lists and deletes a pending item', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    const item = await s.invoiceItems.create({
      customer: customer.id,
      amount: 2500,
      currency: 'usd',
      description: 'Setup fee',
      metadata: { order: 'o1' },
    })
    expect(item.id).toMatch(/^ii_/)
    expect(item).toMatchObject({
      object: 'invoiceitem',
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      invoice: null,
      quantity: 1,
      discountable: true,
      description: 'Setup fee',
    })
    expect((await s.invoiceItems.retrieve(item.id)).amount).toBe(2500)
    const updated = await s.invoiceItems.update(item.id, { description: 'Setup', amount: 3000 } as never)
    expect(updated).toMatchObject({ description: 'Setup', amount: 3000 })
    const priced = await s.prices.create({
      currency: 'usd',
      unit_amount: 700,
      product_data: { name: 'Credits' },
    })
    const byPrice = await s.invoiceItems.create({
      customer: customer.id,
      price: priced.id,
      quantity: 3,
    } as never)
    expect(byPrice).toMatchObject({ amount: 2100, quantity: 3, unit_amount: 700 })
    expect((byPrice as unknown as { price: Stripe.Price }).price.id).toBe(priced.id)
    const pending = await s.invoiceItems.list({ customer: customer.id, pending: true })
    expect(pending.data.map((i) => i.id)).toEqual([byPrice.id, item.id])
    expect(await s.invoiceItems.del(item.id)).toEqual({ id: item.id, object: 'invoiceitem', deleted: true })
    expect((await failure(s.invoiceItems.retrieve(item.id))).statusCode).toBe(404)
    expect(await types(s, 'invoiceitem')).toEqual([
      'invoiceitem.created',
      'invoiceitem.created',
      'invoiceitem.deleted',
    ])
  })

  it('refuses an item without an amount and one for an invoice that is no longer a draft', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    const none = await failure(s.invoiceItems.create({ customer: customer.id, currency: 'usd' }))
    expect(none).toMatchObject({ statusCode: 400, param: 'amount', code: 'parameter_missing' })
    const invoice = await s.invoices.create({ customer: customer.id })
    await s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 100, currency: 'usd' })
    const item = (await s.invoiceItems.list({ invoice: invoice.id })).data[0]!
    await s.invoices.finalizeInvoice(invoice.id)
    const late = await failure(
      s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 100, currency: 'usd' }),
    )
    expect(late).toMatchObject({ statusCode: 400, param: 'invoice' })
    expect(late.message).toMatch(/draft/)
    const change = await failure(s.invoiceItems.update(item.id, { description: 'no' }))
    expect(change.statusCode).toBe(400)
    expect((await failure(s.invoiceItems.del(item.id))).statusCode).toBe(400)
  })

  it('uses the basil shapes (pricing, parent) in the current version', async () => {
    const s = h.client()
    const customer = await s.customers.create({ email: 'basil@example.com' })
    const price = await s.prices.create({ currency: 'usd', unit_amount: 450, product_data: { name: 'Pack' } })
    const item = await s.invoiceItems.create({
      customer: customer.id,
      pricing: { price: price.id },
      quantity: 2,
    })
    expect(item.amount).toBe(900)
    expect(item.pricing).toMatchObject({
      type: 'price_details',
      price_details: { price: price.id, product: price.product },
    })
    expect(String(item.pricing!.unit_amount_decimal)).toBe('450')
    expect(item.parent).toBeNull()
    expect((item as unknown as Record<string, unknown>).price).toBeUndefined()
  })
})

describe('one-off invoices', () => {
  it('builds a draft from pending items, finalizes, pays and then refuses what a paid invoice cannot do', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    await s.invoiceItems.create({ customer: customer.id, amount: 1500, currency: 'usd', description: 'A' })
    await s.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'usd', description: 'B' })
    // Pending items stay out unless asked for (the default since 2022-08-01 is `exclude`).
    const empty = await s.invoices.create({ customer: customer.id })
    expect(empty).toMatchObject({ status: 'draft', total: 0, auto_advance: false, billing_reason: 'manual' })
    await s.invoices.del(empty.id)
    const invoice = await s.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
      description: 'March',
    })
    expect(invoice).toMatchObject({
      status: 'draft',
      subtotal: 2000,
      total: 2000,
      amount_due: 2000,
      number: null,
    })
    expect(invoice.lines.data.map((l) => [(l as unknown as { type: string }).type, l.amount])).toEqual([
      ['invoiceitem', 1500],
      ['invoiceitem', 500],
    ])
    expect((await s.invoices.update(invoice.id, { description: 'April' })).description).toBe('April')
    const lines = await s.invoices.listLineItems(invoice.id, { limit: 1 })
    expect(lines).toMatchObject({ has_more: true, url: `/v1/invoices/${invoice.id}/lines` })

    const open = await s.invoices.finalizeInvoice(invoice.id)
    expect(open.status).toBe('open')
    expect(open.number).toMatch(/^[A-Z0-9]+-0\d{3}$/)
    expect(open.hosted_invoice_url).toContain(`/invoices/${invoice.id}`)
    expect(open.status_transitions.finalized_at).toBeTypeOf('number')
    const again = await failure(s.invoices.finalizeInvoice(invoice.id))
    expect(again.message).toBe(
      "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
    )
    const edit = await failure(s.invoices.update(invoice.id, { description: 'May' }))
    expect(edit).toMatchObject({ statusCode: 400, param: 'description' })
    expect(edit.message).toBe("Finalized invoices can't be updated in this way")
    expect((await s.invoices.update(invoice.id, { metadata: { ref: 'r1' } })).metadata).toEqual({ ref: 'r1' })
    expect((await failure(s.invoices.del(invoice.id))).message).toBe('You can only delete draft invoices.')

    const paid = await s.invoices.pay(invoice.id)
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 2000, amount_remaining: 0, paid: true })
    expect((await failure(s.invoices.pay(invoice.id))).message).toBe('Invoice is already paid')
    expect((await failure(s.invoices.voidInvoice(invoice.id))).message).toBe(
      'Invoices with `paid` payments cannot be voided.',
    )
    expect((await failure(s.invoices.markUncollectible(invoice.id))).message).toBe(
      "You can only pass in open invoices. This invoice isn't open.",
    )
    expect((await failure(s.invoices.sendInvoice(invoice.id))).statusCode).toBe(400)
    expect(await types(s, 'invoice')).toEqual([
      'invoice.created',
      'invoice.deleted',
      'invoice.created',
      'invoice.updated',
      'invoice.finalized',
      'invoice.updated',
      'invoice.paid',
      'invoice.payment_succeeded',
    ])
  })

  it('deletes a draft, refuses to void it, and sends an invoice for manual payment', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    const draft = await s.invoices.create({ customer: customer.id })
    expect((await failure(s.invoices.voidInvoice(draft.id))).message).toBe(
      "You can only pass in open invoices. This invoice isn't open.",
    )
    expect(await s.invoices.del(draft.id)).toEqual({ id: draft.id, object: 'invoice', deleted: true })
    expect((await failure(s.invoices.retrieve(draft.id))).statusCode).toBe(404)

    const noDue = await failure(
      s.invoices.create({ customer: customer.id, collection_method: 'send_invoice' }),
    )
    expect(noDue).toMatchObject({ statusCode: 400, param: 'days_until_due' })
    const manual = await s.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 14,
    })
    await s.invoiceItems.create({ customer: customer.id, invoice: manual.id, amount: 4000, currency: 'usd' })
    const sent = await s.invoices.sendInvoice(manual.id)
    expect(sent.status).toBe('open')
    expect(sent.due_date).toBe(sent.status_transitions.finalized_at! + 14 * 86_400)
    const lost = await s.invoices.markUncollectible(manual.id)
    expect(lost.status).toBe('uncollectible')
    expect(lost.status_transitions.marked_uncollectible_at).toBeTypeOf('number')
    expect((await failure(s.invoices.markUncollectible(manual.id))).message).toBe(
      'This invoice has already been marked uncollectible.',
    )
    // An uncollectible invoice can still be paid.
    expect((await s.invoices.pay(manual.id)).status).toBe('paid')
    expect(await types(s, 'invoice')).toEqual([
      'invoice.created',
      'invoice.deleted',
      'invoice.created',
      'invoice.finalized',
      'invoice.sent',
      'invoice.marked_uncollectible',
      'invoice.paid',
      'invoice.payment_succeeded',
    ])
  })

  it('voids an open invoice, and pays a zero-total invoice on finalization', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    const invoice = await s.invoices.create({ customer: customer.id })
    await s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 800, currency: 'usd' })
    await s.invoices.finalizeInvoice(invoice.id)
    const voided = await s.invoices.voidInvoice(invoice.id)
    expect(voided).toMatchObject({ status: 'void', auto_advance: false })
    expect(voided.status_transitions.voided_at).toBeTypeOf('number')
    const zero = await s.invoices.create({ customer: customer.id })
    expect((await s.invoices.finalizeInvoice(zero.id)).status).toBe('paid')
  })

  it('auto-advances a draft: finalized and charged an hour after creation on the virtual clock', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    await s.invoiceItems.create({ customer: customer.id, amount: 1200, currency: 'usd' })
    const invoice = await s.invoices.create({
      customer: customer.id,
      auto_advance: true,
      pending_invoice_items_behavior: 'include',
    })
    expect(invoice.status).toBe('draft')
    h.sims.core.clock.advance(3600_000 + 1000)
    const later = await s.invoices.retrieve(invoice.id)
    expect(later).toMatchObject({ status: 'paid', amount_paid: 1200, attempt_count: 1 })
  })

  it('takes a customer credit balance at finalization', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await payer(s)
    await s.customers.update(customer.id, { balance: -1000 })
    const invoice = await s.invoices.create({ customer: customer.id })
    await s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 3000, currency: 'usd' })
    const open = await s.invoices.finalizeInvoice(invoice.id)
    expect(open).toMatchObject({ starting_balance: -1000, ending_balance: 0, amount_due: 2000, total: 3000 })
    expect((await s.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ balance: 0 })
    expect((await s.invoices.pay(invoice.id)).amount_paid).toBe(2000)
  })
})

describe('credit notes', () => {
  async function openInvoice(s: Stripe, amount = 2000) {
    const customer = await payer(s)
    const invoice = await s.invoices.create({ customer: customer.id })
    await s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount, currency: 'usd' })
    return s.invoices.finalizeInvoice(invoice.id)
  }

  it('credits an open invoice (lowering what is due), lists, retrieves and voids', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const invoice = await openInvoice(s)
    const note = await s.creditNotes.create({ invoice: invoice.id, amount: 500, reason: 'order_change' })
    expect(note.id).toMatch(/^cn_/)
    expect(note).toMatchObject({
      object: 'credit_note',
      type: 'pre_payment',
      status: 'issued',
      amount: 500,
      total: 500,
      invoice: invoice.id,
      number: `${invoice.number}-CN-01`,
    })
    const after = await s.invoices.retrieve(invoice.id)
    expect(after).toMatchObject({
      amount_due: 1500,
      amount_remaining: 1500,
      pre_payment_credit_notes_amount: 500,
    })
    expect((await s.creditNotes.list({ invoice: invoice.id })).data.map((c) => c.id)).toEqual([note.id])
    expect((await s.creditNotes.retrieve(note.id)).amount).toBe(500)
    expect((await s.creditNotes.listLineItems(note.id)).data[0]).toMatchObject({
      type: 'custom_line_item',
      amount: 500,
    })
    const over = await failure(s.creditNotes.create({ invoice: invoice.id, amount: 1600 }))
    expect(over).toMatchObject({ statusCode: 400, param: 'amount' })
    const voided = await s.creditNotes.voidCreditNote(note.id)
    expect(voided).toMatchObject({ status: 'void' })
    expect((await s.invoices.retrieve(invoice.id)).amount_due).toBe(2000)
    expect((await failure(s.creditNotes.voidCreditNote(note.id))).statusCode).toBe(400)
    expect(await types(s, 'credit_note')).toEqual(['credit_note.created', 'credit_note.voided'])
  })

  it('settles an open invoice credited in full', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const invoice = await openInvoice(s, 900)
    const line = invoice.lines.data[0]!
    const note = await s.creditNotes.create({
      invoice: invoice.id,
      lines: [{ type: 'invoice_line_item', invoice_line_item: line.id, quantity: 1 }],
    })
    expect(note.lines.data[0]).toMatchObject({
      type: 'invoice_line_item',
      invoice_line_item: line.id,
      amount: 900,
    })
    expect((await s.invoices.retrieve(invoice.id)).status).toBe('paid')
  })

  it('refunds part of a paid invoice to the card and credits the rest to the balance', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const invoice = await s.invoices.pay((await openInvoice(s, 3000)).id)
    const bad = await failure(s.creditNotes.create({ invoice: invoice.id, amount: 1000, refund_amount: 600 }))
    expect(bad.statusCode).toBe(400)
    const note = await s.creditNotes.create({
      invoice: invoice.id,
      amount: 1000,
      refund_amount: 600,
      credit_amount: 400,
    })
    expect(note).toMatchObject({ type: 'post_payment', total: 1000 })
    // The bundled version's shape: `refund` and `charge` (basil: `refunds`, `payments`).
    expect((note as unknown as { refund: string }).refund).toMatch(/^re_/)
    const charge = await s.charges.retrieve((invoice as unknown as { charge: string }).charge)
    expect(charge.amount_refunded).toBe(600)
    expect(((await s.customers.retrieve(invoice.customer as string)) as Stripe.Customer).balance).toBe(-400)
    expect((await s.invoices.retrieve(invoice.id)).post_payment_credit_notes_amount).toBe(1000)
    // A credit note with a refund stays.
    expect((await failure(s.creditNotes.voidCreditNote(note.id))).statusCode).toBe(400)
  })

  it('uses refunds and total_taxes in the current version', async () => {
    const s = h.client()
    const customer = await payer(s, 'cn-basil@example.com')
    const invoice = await s.invoices.create({ customer: customer.id })
    await s.invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 1000, currency: 'usd' })
    await s.invoices.finalizeInvoice(invoice.id)
    await s.invoices.pay(invoice.id)
    const note = await s.creditNotes.create({ invoice: invoice.id, amount: 1000, refund_amount: 1000 })
    expect(note.refunds).toHaveLength(1)
    expect(note.refunds[0]!.amount_refunded).toBe(1000)
    expect(note.post_payment_amount).toBe(1000)
    expect((note as unknown as Record<string, unknown>).refund).toBeUndefined()
  })
})

describe('chain: invoice item → invoice → finalize → pay', () => {
  it('arrives signed and in order at the receiver, each payload valid for its version', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['*'],
        api_version: LEGACY_VERSION,
      })
      const customer = await payer(s, 'chain@example.com')
      const item = await s.invoiceItems.create({ customer: customer.id, amount: 4200, currency: 'usd' })
      await receiver.waitFor((e) => e.type === 'invoiceitem.created')
      const invoice = await s.invoices.create({
        customer: customer.id,
        pending_invoice_items_behavior: 'include',
      })
      await receiver.waitFor((e) => e.type === 'invoice.created')
      await s.invoices.finalizeInvoice(invoice.id)
      await receiver.waitFor((e) => e.type === 'invoice.finalized')
      await s.invoices.pay(invoice.id)
      await receiver.waitFor((e) => e.type === 'invoice.payment_succeeded')
      const events = receiver.received.map((r) => JSON.parse(r.body) as Stripe.Event)
      const chain = events.map((e) => e.type).filter((t) => /^(invoiceitem|invoice)\./.test(t))
      expect(chain).toEqual([
        'invoiceitem.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
      ])
      expect((events.find((e) => e.type === 'invoiceitem.created')!.data.object as { id: string }).id).toBe(
        item.id,
      )
      const paid = events.find((e) => e.type === 'invoice.paid')!.data.object as Stripe.Invoice
      expect(paid).toMatchObject({ id: invoice.id, status: 'paid', amount_paid: 4200 })
      expectSignedToSpec(s, receiver.received, endpoint.secret!, (type) =>
        type.startsWith('invoice_payment.'),
      )
    } finally {
      await receiver.close()
    }
  })
})
