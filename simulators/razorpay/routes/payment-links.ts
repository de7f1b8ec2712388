import type { PaymentLink } from '../billing-models.ts'
import { PaymentLinkCreateParams, PaymentLinkEditParams, PaymentLinkListParams } from '../billing-params.ts'
import { checkId } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { wireNotes } from '../models.ts'
import { cancelLink, MIN_EXPIRY_S, newLinkOrder, scheduleLinkExpiry } from '../payment-links.ts'
import { SUPPORTED_CURRENCIES } from '../test-values.ts'
import { MAX_ORDER_AMOUNT } from './orders.ts'
import { apiRoute, type Ctx } from './route.ts'
import { shortUrl } from './subscriptions.ts'

/** Standard Payment Links: create, fetch, list (`{ payment_links: [...] }`), edit, cancel. */

export function findLink(ctx: Ctx, id: string): PaymentLink {
  checkId(id, 'plink_')
  const found = ctx.state.billing.paymentLinks.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

function checkExpiry(ctx: Ctx, expireBy: number | undefined): void {
  if (expireBy !== undefined && expireBy < ctx.clock.unix() + MIN_EXPIRY_S)
    invalidParam('expire_by: timestamp must be atleast 15 minutes in future', 'expire_by')
}

function checkReference(ctx: Ctx, reference: string | undefined, self?: string): void {
  if (reference === undefined) return
  const taken = ctx.state.billing.paymentLinks.find((l) => l.reference_id === reference && l.id !== self)
  if (taken) invalidParam(`Payment Link with reference id ${reference} already exists`, 'reference_id')
}

export const paymentLinkRoutes = [
  apiRoute({
    operation: 'paymentLink.create',
    method: 'POST',
    path: '/v1/payment_links',
    input: PaymentLinkCreateParams,
    handler: (_req, ctx, input) => {
      const currency = input.currency ?? 'INR'
      if (!SUPPORTED_CURRENCIES.has(currency))
        fail({ description: 'Currency is not supported', field: 'currency' })
      const amount = input.amount!
      if (amount < 100) invalidParam(`The amount must be at least ${currency} 1.00`, 'amount')
      if (amount > MAX_ORDER_AMOUNT) invalidParam('Amount exceeds maximum amount allowed.', 'amount')
      if (input.first_min_partial_amount !== undefined && !input.accept_partial)
        invalidParam(
          'first_min_partial_amount can be passed only when accept_partial is true',
          'first_min_partial_amount',
        )
      if (input.first_min_partial_amount !== undefined && input.first_min_partial_amount > amount)
        invalidParam(
          'first_min_partial_amount should be less than or equal to amount',
          'first_min_partial_amount',
        )
      if (input.callback_method !== undefined && input.callback_url === undefined)
        invalidParam('callback_url is required when callback_method is passed', 'callback_url')
      if (input.callback_url !== undefined && input.callback_method === undefined)
        invalidParam('callback_method is required when callback_url is passed', 'callback_method')
      checkExpiry(ctx, input.expire_by)
      checkReference(ctx, input.reference_id)
      const id = ctx.ids.mint('plink_', 14)
      const now = ctx.clock.unix()
      const customer = Object.fromEntries(
        Object.entries(input.customer ?? {}).filter(([, v]) => v !== undefined),
      ) as PaymentLink['customer']
      const link = ctx.state.billing.paymentLinks.insert({
        id,
        accept_partial: input.accept_partial ?? false,
        amount,
        amount_paid: 0,
        callback_method: input.callback_method ?? '',
        callback_url: input.callback_url ?? '',
        cancelled_at: 0,
        created_at: now,
        currency,
        customer,
        description: input.description ?? '',
        expire_by: input.expire_by ?? 0,
        expired_at: 0,
        first_min_partial_amount: input.first_min_partial_amount ?? 0,
        notes: wireNotes(input.notes),
        notify: { email: input.notify?.email ?? false, sms: input.notify?.sms ?? false },
        order_id: newLinkOrder(ctx, amount, currency, id).id,
        payments: null,
        reference_id: input.reference_id ?? '',
        reminder_enable: input.reminder_enable ?? false,
        reminders: [],
        short_url: shortUrl(ctx, 'payment_link', id),
        status: 'created',
        updated_at: now,
        upi_link: input.upi_link ?? false,
        user_id: '',
        whatsapp_link: false,
      })
      scheduleLinkExpiry(ctx, link)
      return { status: 200, body: link }
    },
  }),
  apiRoute({
    operation: 'paymentLink.all',
    method: 'GET',
    path: '/v1/payment_links',
    input: PaymentLinkListParams,
    handler: (_req, ctx, input) => {
      const links = ctx.state.billing.paymentLinks
        .filter(
          (l) =>
            (input.reference_id === undefined || l.reference_id === input.reference_id) &&
            (input.payment_id === undefined ||
              (l.payments ?? []).some((p) => p.payment_id === input.payment_id)),
        )
        .reverse()
      return { status: 200, body: { payment_links: links } }
    },
  }),
  apiRoute({
    operation: 'paymentLink.fetch',
    method: 'GET',
    path: '/v1/payment_links/:id',
    handler: (req, ctx) => ({ status: 200, body: findLink(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'paymentLink.edit',
    method: 'PATCH',
    path: '/v1/payment_links/:id',
    input: PaymentLinkEditParams,
    handler: (req, ctx, input) => {
      const link = findLink(ctx, req.params.id!)
      if (link.status !== 'created' && link.status !== 'partially_paid')
        fail({ description: `Payment Link cannot be updated in ${link.status} state.`, field: null })
      checkExpiry(ctx, input.expire_by)
      checkReference(ctx, input.reference_id, link.id)
      if (input.accept_partial !== undefined) link.accept_partial = input.accept_partial
      if (input.reference_id !== undefined) link.reference_id = input.reference_id
      if (input.reminder_enable !== undefined) link.reminder_enable = input.reminder_enable
      if (input.notes !== undefined) link.notes = wireNotes(input.notes)
      if (input.expire_by !== undefined) {
        link.expire_by = input.expire_by
        scheduleLinkExpiry(ctx, link)
      }
      link.updated_at = ctx.clock.unix()
      return { status: 200, body: link }
    },
  }),
  apiRoute({
    operation: 'paymentLink.cancel',
    method: 'POST',
    path: '/v1/payment_links/:id/cancel',
    handler: (req, ctx) => {
      const link = findLink(ctx, req.params.id!)
      cancelLink(ctx, link)
      return { status: 200, body: link }
    },
  }),
]
