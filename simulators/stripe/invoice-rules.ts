// The state rules of the invoice lifecycle (what a draft, open or paid invoice refuses), alone.
import { fail, invalidRequest } from './errors.ts'
import type { Invoice } from './models.ts'
import type { StripeContext } from './state.ts'

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
