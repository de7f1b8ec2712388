import type { ProviderContext, TriggerSpec } from '../core/provider.ts'
import type { Subscription } from './billing-models.ts'
import { type FailureReason, fail, MESSAGES, paymentFailures } from './errors.ts'
import type { RazorpayState } from './models.ts'
import { newLinkOrder, payLink, scheduleLinkExpiry } from './payment-links.ts'
import type { Mandate } from './subscription-timing.ts'
import { authorizeSubscription, changeCard } from './subscriptions.ts'
import { addLinkedAccount } from './transfers.ts'

/**
 * Subscription and Payment Link events on demand. Each plays the real
 * transitions (a plan, a subscription authorised with a test card, a link
 * paid by UPI), so the webhooks are those the hosted pages would produce;
 * `subscription.charge_fails` and `subscription.card_changed` stand in for
 * the bank declining renewals and the customer updating the card.
 */
type Ctx = ProviderContext<RazorpayState>

const MANDATE: Mandate = {
  method: 'card',
  card: '4718609108204366',
  email: 'gaurav.kumar@example.com',
  contact: '+919999999999',
}

function amountOf(params: Record<string, unknown>): number {
  return typeof params.amount === 'number' && Number.isInteger(params.amount) && params.amount >= 100
    ? params.amount
    : 49_900
}

function subscription(ctx: Ctx, params: Record<string, unknown>): Subscription {
  const id = typeof params.subscription_id === 'string' ? params.subscription_id : ''
  const sub = ctx.state.billing.subscriptions.get(id)
  if (!sub) fail({ description: MESSAGES.idNotFound, field: 'subscription_id' })
  return sub
}

function newSubscription(ctx: Ctx, params: Record<string, unknown>): Subscription {
  const now = ctx.clock.unix()
  const amount = amountOf(params)
  const plan = ctx.state.billing.plans.insert({
    id: ctx.ids.mint('plan_', 14),
    entity: 'plan',
    interval: 1,
    period: 'monthly',
    item: {
      id: ctx.ids.mint('item_', 14),
      active: true,
      name: 'Monthly plan',
      description: null,
      amount,
      unit_amount: amount,
      currency: 'INR',
      type: 'plan',
      unit: null,
      tax_inclusive: false,
      hsn_code: null,
      sac_code: null,
      tax_rate: null,
      tax_id: null,
      tax_group_id: null,
      created_at: now,
      updated_at: now,
    },
    notes: [],
    created_at: now,
  })
  const total = typeof params.total_count === 'number' ? params.total_count : 12
  const id = ctx.ids.mint('sub_', 14)
  const code = ctx.ids.mint('', 9)
  ctx.state.billing.shortLinks.set(code, { kind: 'subscription', id })
  return ctx.state.billing.subscriptions.insert({
    id,
    entity: 'subscription',
    plan_id: plan.id,
    customer_id: null,
    status: 'created',
    current_start: null,
    current_end: null,
    ended_at: null,
    quantity: 1,
    notes: [],
    charge_at: null,
    start_at: null,
    end_at: null,
    auth_attempts: 0,
    total_count: total,
    paid_count: 0,
    customer_notify: true,
    created_at: now,
    expire_by: null,
    short_url: `${ctx.baseUrl}/i/${code}`,
    has_scheduled_changes: false,
    change_scheduled_at: null,
    source: 'api',
    offer_id: null,
    remaining_count: total,
  })
}

export const billingTriggers: Record<string, TriggerSpec<RazorpayState>> = {
  'subscription.charged': {
    summary:
      'creates a monthly plan (params.amount, default 49900) and a subscription (params.total_count, default 12), authorised with a test card: subscription.authenticated, .activated, .charged',
    run: (ctx, params) => {
      const sub = newSubscription(ctx, params)
      const result = authorizeSubscription(ctx, sub, MANDATE, undefined)
      return { subscription: sub, payment: result.payment }
    },
  },
  'subscription.charge_fails': {
    summary:
      'the next params.times (default: all) auto-charges of params.subscription_id fail with params.reason (default card_declined): subscription.pending, then subscription.halted after the retries',
    run: (ctx, params) => {
      const sub = subscription(ctx, params)
      const reason =
        typeof params.reason === 'string' && params.reason in paymentFailures
          ? params.reason
          : 'card_declined'
      const times =
        typeof params.times === 'number' && params.times > 0 ? params.times : Number.POSITIVE_INFINITY
      ctx.state.billing.failNext.set(sub.id, { remaining: times, reason: reason as FailureReason })
      return { subscription: sub }
    },
  },
  'subscription.card_changed': {
    summary:
      'the customer of a pending or halted params.subscription_id changes the card: pending charges the last invoice at once, halted becomes active',
    run: (ctx, params) => {
      const sub = subscription(ctx, params)
      changeCard(ctx, sub, MANDATE)
      return { subscription: sub }
    },
  },
  'route.linked_account': {
    summary:
      'creates a Route linked account of this merchant (params.name, params.email) and answers its acc_ id: transfers may name it',
    run: (ctx, params) => ({
      id: addLinkedAccount(
        ctx,
        typeof params.name === 'string' ? params.name : 'Linked account',
        typeof params.email === 'string' ? params.email : 'linked@example.com',
      ),
    }),
  },
  'payment_link.paid': {
    summary: 'creates a payment link (params.amount, default 49900) and pays it by UPI: payment_link.paid',
    run: (ctx, params) => {
      const amount = amountOf(params)
      const now = ctx.clock.unix()
      const id = ctx.ids.mint('plink_', 14)
      const code = ctx.ids.mint('', 9)
      ctx.state.billing.shortLinks.set(code, { kind: 'payment_link', id })
      const link = ctx.state.billing.paymentLinks.insert({
        id,
        accept_partial: false,
        amount,
        amount_paid: 0,
        callback_method: '',
        callback_url: '',
        cancelled_at: 0,
        created_at: now,
        currency: 'INR',
        customer: {},
        description: 'Payment link',
        expire_by: 0,
        expired_at: 0,
        first_min_partial_amount: 0,
        notes: [],
        notify: { email: false, sms: false },
        order_id: newLinkOrder(ctx, amount, 'INR', id).id,
        payments: null,
        reference_id: typeof params.reference_id === 'string' ? params.reference_id : '',
        reminder_enable: false,
        reminders: [],
        short_url: `${ctx.baseUrl}/i/${code}`,
        status: 'created',
        updated_at: now,
        upi_link: false,
        user_id: '',
        whatsapp_link: false,
      })
      scheduleLinkExpiry(ctx, link)
      const result = payLink(
        ctx,
        link,
        amount,
        { method: 'upi', vpa: 'success@razorpay', email: MANDATE.email, contact: MANDATE.contact },
        undefined,
      )
      return { payment_link: link, payment: result.payment }
    },
  },
}
