// The billing `stripe trigger` table (event → summary, run); its chains are in billing-trigger-*.ts.
import type { TriggerSpec } from '../core/provider.ts'
import {
  coupon,
  customerDiscount,
  draft,
  open,
  paid,
  payingCustomer,
  promotionCode,
  taxRate,
  updated,
} from './billing-trigger-invoices.ts'
import { paused, paymentLink, plan, portalConfiguration, schedule } from './billing-trigger-subscriptions.ts'
import { createCreditNote, voidCreditNote } from './credit-notes.ts'
import { redeem, setCustomerDiscount } from './discounts.ts'
import { markUncollectible, sendInvoice, voidInvoice } from './invoice-transitions.ts'
import type { Invoice } from './models.ts'
import { resumeSubscription } from './pause.ts'
import { attach, createCardPaymentMethod } from './payments.ts'
import { newInvoiceItem } from './routes/invoice-items.ts'
import { cancelSchedule, releaseSchedule } from './schedules.ts'
import { patchNested } from './snapshots.ts'
import type { StripeState } from './state.ts'
import { sourceOf } from './trigger-support.ts'
import { emitEvent } from './webhooks.ts'

export const billingTriggers: Record<string, TriggerSpec<StripeState>> = {
  'subscription_schedule.created': {
    summary: 'a schedule of two monthly phases, started now',
    run: schedule,
  },
  'subscription_schedule.updated': {
    summary: 'a schedule whose metadata changes',
    run: (ctx) => updated(ctx, 'subscription_schedule.updated', schedule(ctx)),
  },
  'subscription_schedule.released': {
    summary: 'a schedule, released (its subscription continues)',
    run: (ctx) => {
      const s = schedule(ctx)
      releaseSchedule(sourceOf(ctx), s)
      return s
    },
  },
  'subscription_schedule.canceled': {
    summary: 'a schedule, canceled with its subscription',
    run: (ctx) => {
      const s = schedule(ctx)
      cancelSchedule(sourceOf(ctx), s)
      return s
    },
  },
  'payment_link.created': { summary: 'a payment link for a one-time price', run: paymentLink },
  'payment_link.updated': {
    summary: 'a payment link, deactivated',
    run: (ctx) => {
      const link = paymentLink(ctx)
      link.active = false
      emitEvent(sourceOf(ctx), 'payment_link.updated', link, { active: true })
      return link
    },
  },
  'billing_portal.configuration.created': { summary: 'a portal configuration', run: portalConfiguration },
  'billing_portal.configuration.updated': {
    summary: 'a portal configuration whose metadata changes',
    run: (ctx) => updated(ctx, 'billing_portal.configuration.updated', portalConfiguration(ctx)),
  },
  'billing_portal.session.created': {
    summary: 'a customer and a portal session for it',
    run: (ctx) => {
      const config = portalConfiguration(ctx)
      const src = sourceOf(ctx)
      const c = payingCustomer(src)
      const id = ctx.ids.mint('bps_', 24)
      const session = {
        id,
        object: 'billing_portal.session' as const,
        configuration: config.id,
        created: src.at,
        customer: c.id,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: null,
        url: `${ctx.baseUrl}/p/session/${id}`,
      }
      ctx.state.portalSessions.insert(session)
      emitEvent(src, 'billing_portal.session.created', session)
      return session
    },
  },
  'plan.created': { summary: 'a monthly plan (and its price)', run: plan },
  'plan.updated': {
    summary: 'a plan whose metadata changes',
    run: (ctx) => updated(ctx, 'plan.updated', plan(ctx)),
  },
  'plan.deleted': {
    summary: 'a plan, deleted',
    run: (ctx) => {
      const p = plan(ctx)
      ctx.state.plans.delete(p.id)
      emitEvent(sourceOf(ctx), 'plan.deleted', p)
      return p
    },
  },
  'customer.subscription.paused': {
    summary: 'a trial ending without a payment method, paused (trial_settings)',
    run: (ctx) => paused(ctx).sub,
  },
  'customer.subscription.resumed': {
    summary: 'a paused subscription, resumed with a card',
    run: (ctx) => {
      const { customer, sub } = paused(ctx)
      const src = sourceOf(ctx)
      const pm = createCardPaymentMethod(src, { number: '4242424242424242' })
      attach(src, pm, customer)
      patchNested(customer, 'invoice_settings', { default_payment_method: pm.id })
      resumeSubscription(src, sub)
      return sub
    },
  },
  'invoiceitem.created': {
    summary: 'a customer and a pending invoice item',
    run: (ctx) => {
      const src = sourceOf(ctx)
      return newInvoiceItem(src, payingCustomer(src).id, { amount: 2000, currency: 'usd' })
    },
  },
  'invoiceitem.deleted': {
    summary: 'a pending invoice item, deleted',
    run: (ctx) => {
      const src = sourceOf(ctx)
      const item = newInvoiceItem(src, payingCustomer(src).id, { amount: 2000, currency: 'usd' })
      ctx.state.invoiceItems.delete(item.id)
      emitEvent(src, 'invoiceitem.deleted', item)
      return item
    },
  },
  'invoice.created': { summary: 'an invoice item on a draft invoice', run: (ctx) => draft(ctx) },
  'invoice.updated': {
    summary: 'a draft invoice whose metadata changes',
    run: (ctx) =>
      updated(ctx, 'invoice.updated', draft(ctx) as Invoice & { metadata: Record<string, string> }),
  },
  'invoice.deleted': {
    summary: 'a draft invoice, deleted',
    run: (ctx) => {
      const invoice = draft(ctx)
      ctx.state.invoices.delete(invoice.id)
      emitEvent(sourceOf(ctx), 'invoice.deleted', invoice)
      return invoice
    },
  },
  'invoice.finalized': { summary: 'a one-off invoice, finalized', run: (ctx) => open(ctx) },
  'invoice.payment_succeeded': { summary: 'a one-off invoice, finalized and paid by card', run: paid },
  'invoice.sent': {
    summary: 'an invoice for manual payment, sent',
    run: (ctx) => {
      const invoice = draft(ctx, { sendInvoice: true })
      sendInvoice(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'invoice.voided': {
    summary: 'a one-off invoice, finalized then voided',
    run: (ctx) => {
      const invoice = open(ctx)
      voidInvoice(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'invoice.marked_uncollectible': {
    summary: 'a one-off invoice, finalized then marked uncollectible',
    run: (ctx) => {
      const invoice = open(ctx)
      markUncollectible(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'credit_note.created': {
    summary: 'a paid invoice, credited in part to the customer balance',
    run: (ctx) => createCreditNote(sourceOf(ctx), paid(ctx), { invoice: '', amount: 500 }),
  },
  'credit_note.updated': {
    summary: 'a credit note whose metadata changes',
    run: (ctx) =>
      updated(
        ctx,
        'credit_note.updated',
        createCreditNote(sourceOf(ctx), paid(ctx), { invoice: '', amount: 500 }),
      ),
  },
  'credit_note.voided': {
    summary: 'a credit note on an open invoice, voided',
    run: (ctx) => {
      const note = createCreditNote(sourceOf(ctx), open(ctx), { invoice: '', amount: 500 })
      voidCreditNote(sourceOf(ctx), note)
      return note
    },
  },
  'coupon.created': { summary: 'a 25.5% coupon for three months', run: coupon },
  'coupon.updated': {
    summary: 'a coupon whose metadata changes',
    run: (ctx) => updated(ctx, 'coupon.updated', coupon(ctx)),
  },
  'coupon.deleted': {
    summary: 'a coupon, deleted',
    run: (ctx) => {
      const c = coupon(ctx)
      ctx.state.coupons.delete(c.id)
      c.valid = false
      emitEvent(sourceOf(ctx), 'coupon.deleted', c)
      return c
    },
  },
  'promotion_code.created': { summary: 'a coupon and a promotion code for it', run: promotionCode },
  'promotion_code.updated': {
    summary: 'a promotion code, deactivated',
    run: (ctx) => {
      const promo = promotionCode(ctx)
      promo.active = false
      emitEvent(sourceOf(ctx), 'promotion_code.updated', promo, { active: true })
      return promo
    },
  },
  'customer.discount.created': {
    summary: 'a coupon applied to a customer',
    run: (ctx) => customerDiscount(ctx).customer.discount,
  },
  'customer.discount.updated': {
    summary: 'a customer discount replaced by another coupon',
    run: (ctx) => {
      const { customer } = customerDiscount(ctx)
      const src = sourceOf(ctx)
      setCustomerDiscount(src, customer, redeem(src, coupon(ctx), null, { customer: customer.id }))
      return customer.discount
    },
  },
  'customer.discount.deleted': {
    summary: 'a customer discount, removed',
    run: (ctx) => {
      const { customer } = customerDiscount(ctx)
      const discount = customer.discount
      setCustomerDiscount(sourceOf(ctx), customer, null)
      return discount
    },
  },
  'tax_rate.created': { summary: 'an 8.5% exclusive tax rate', run: taxRate },
  'tax_rate.updated': {
    summary: 'a tax rate whose metadata changes',
    run: (ctx) => updated(ctx, 'tax_rate.updated', taxRate(ctx)),
  },
}
