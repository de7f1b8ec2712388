import { z } from 'zod'
import { Collection } from '../core/store.ts'
import { fail } from './errors.ts'
import type { Reversal, Transfer } from './transfer-models.ts'

/** As models.ts's WireNotes (not imported: models.ts imports this file). Empty notes are `[]`. */
const WireNotes = z.union([z.record(z.string(), z.unknown()), z.array(z.never()).length(0)])

/**
 * Customers, Plans, Subscriptions and Payment Links: the stored objects are
 * the wire objects (a fetch returns what is stored); what Razorpay keeps but
 * does not show (a subscription's card, its timers) lives in `BillingState`
 * maps beside them.
 */

export const Customer = z.object({
  id: z.string(),
  entity: z.literal('customer'),
  name: z.string().nullable(),
  email: z.string().nullable(),
  contact: z.string().nullable(),
  gstin: z.string().nullable(),
  notes: WireNotes,
  created_at: z.number().int(),
})
export type Customer = z.infer<typeof Customer>

export const PlanPeriod = z.enum(['daily', 'weekly', 'monthly', 'quarterly', 'yearly'])
export type PlanPeriod = z.infer<typeof PlanPeriod>

export const Item = z.object({
  id: z.string(),
  active: z.boolean(),
  name: z.string(),
  description: z.string().nullable(),
  amount: z.number().int(),
  unit_amount: z.number().int(),
  currency: z.string(),
  type: z.literal('plan'),
  unit: z.null(),
  tax_inclusive: z.boolean(),
  hsn_code: z.null(),
  sac_code: z.null(),
  tax_rate: z.null(),
  tax_id: z.null(),
  tax_group_id: z.null(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
})

export const Plan = z.object({
  id: z.string(),
  entity: z.literal('plan'),
  interval: z.number().int(),
  period: PlanPeriod,
  item: Item,
  notes: WireNotes,
  created_at: z.number().int(),
})
export type Plan = z.infer<typeof Plan>

export const SubscriptionStatus = z.enum([
  'created',
  'authenticated',
  'active',
  'pending',
  'halted',
  'paused',
  'cancelled',
  'completed',
  'expired',
])
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>

export const Subscription = z.object({
  id: z.string(),
  entity: z.literal('subscription'),
  plan_id: z.string(),
  customer_id: z.string().nullable(),
  status: SubscriptionStatus,
  current_start: z.number().int().nullable(),
  current_end: z.number().int().nullable(),
  ended_at: z.number().int().nullable(),
  quantity: z.number().int(),
  notes: WireNotes,
  charge_at: z.number().int().nullable(),
  start_at: z.number().int().nullable(),
  end_at: z.number().int().nullable(),
  auth_attempts: z.number().int(),
  total_count: z.number().int(),
  paid_count: z.number().int(),
  customer_notify: z.boolean(),
  created_at: z.number().int(),
  expire_by: z.number().int().nullable(),
  short_url: z.string(),
  has_scheduled_changes: z.boolean(),
  change_scheduled_at: z.number().int().nullable(),
  source: z.literal('api'),
  offer_id: z.null(),
  remaining_count: z.number().int(),
})
export type Subscription = z.infer<typeof Subscription>

export const PaymentLinkStatus = z.enum(['created', 'partially_paid', 'paid', 'cancelled', 'expired'])

export const PaymentLink = z.object({
  id: z.string(),
  accept_partial: z.boolean(),
  amount: z.number().int(),
  amount_paid: z.number().int(),
  callback_method: z.string(),
  callback_url: z.string(),
  cancelled_at: z.number().int(),
  created_at: z.number().int(),
  currency: z.string(),
  customer: z.object({
    name: z.string().optional(),
    email: z.string().optional(),
    contact: z.string().optional(),
  }),
  description: z.string(),
  expire_by: z.number().int(),
  expired_at: z.number().int(),
  first_min_partial_amount: z.number().int(),
  notes: WireNotes,
  notify: z.object({ email: z.boolean(), sms: z.boolean() }),
  order_id: z.string(),
  payments: z
    .array(
      z.object({
        amount: z.number().int(),
        created_at: z.number().int(),
        method: z.string(),
        payment_id: z.string(),
        plink_id: z.string(),
        status: z.string(),
        updated_at: z.number().int(),
      }),
    )
    .nullable(),
  reference_id: z.string(),
  reminder_enable: z.boolean(),
  reminders: z.union([z.array(z.never()), z.record(z.string(), z.string())]),
  short_url: z.string(),
  status: PaymentLinkStatus,
  updated_at: z.number().int(),
  upi_link: z.boolean(),
  user_id: z.string(),
  whatsapp_link: z.boolean(),
})
export type PaymentLink = z.infer<typeof PaymentLink>

/** A change `PATCH /subscriptions/:id` scheduled for the end of the cycle. */
export interface ScheduledChange {
  plan_id?: string | undefined
  quantity?: number | undefined
  remaining_count?: number | undefined
}

export interface BillingState {
  customers: Collection<Customer>
  plans: Collection<Plan>
  subscriptions: Collection<Subscription>
  paymentLinks: Collection<PaymentLink>
  /** short_url codes → what they open. */
  shortLinks: Map<string, { kind: 'subscription' | 'payment_link'; id: string }>
  /** The card (or VPA) a subscription was authorised with: what renewals charge. */
  mandates: Map<
    string,
    { method: 'card' | 'upi'; card?: string; vpa?: string; email: string; contact: string }
  >
  /** Pending timers of each subscription (next charge, retry, expiry, start). */
  timers: Map<string, { cancel(): void }>
  /** Auto-charges standin is told to fail (trigger `subscription.charge_fails`): how many more, and why. */
  failNext: Map<string, { remaining: number; reason: string }>
  /** Failed attempts of the current invoice of a pending subscription. */
  retries: Map<string, number>
  /** `cancel_at_cycle_end=1`: cancelled when the current cycle ends. */
  cancelAtCycleEnd: Set<string>
  scheduled: Map<string, ScheduledChange>
  /** Payment link expiry timers. */
  linkTimers: Map<string, { cancel(): void }>
  /** Billing cycles opened so far per subscription (paid or not). */
  cycles: Map<string, number>
  /** Add-on amounts charged with a subscription's first invoice. */
  addons: Map<string, number>
  /** Route: transfers, reversals, linked accounts (acc_ → name, email), settlement-hold timers. */
  route: {
    transfers: Collection<Transfer>
    reversals: Collection<Reversal>
    linkedAccounts: Map<string, { name: string; email: string }>
    holdTimers: Map<string, { cancel(): void }>
  }
}

export function createBillingState(): BillingState {
  return {
    customers: new Collection<Customer>(),
    plans: new Collection<Plan>(),
    subscriptions: new Collection<Subscription>(),
    paymentLinks: new Collection<PaymentLink>(),
    shortLinks: new Map(),
    mandates: new Map(),
    timers: new Map(),
    failNext: new Map(),
    retries: new Map(),
    cancelAtCycleEnd: new Set(),
    scheduled: new Map(),
    linkTimers: new Map(),
    cycles: new Map(),
    addons: new Map(),
    route: {
      transfers: new Collection<Transfer>(),
      reversals: new Collection<Reversal>(),
      linkedAccounts: new Map(),
      holdTimers: new Map(),
    },
  }
}

// ------------------------------------------------------------ subscription transitions

/** Where each action may start. "Subscription is not cancellable in expired status." is the docs' own sample. */
const CANCELLABLE: SubscriptionStatus[] = [
  'created',
  'authenticated',
  'active',
  'pending',
  'halted',
  'paused',
]

export function checkCancellable(sub: Subscription): void {
  if (!CANCELLABLE.includes(sub.status))
    fail({ description: `Subscription is not cancellable in ${sub.status} status.`, field: 'status' })
}

/** Only `active` subscriptions pause (an `authenticated` one is cancelled instead, as the docs warn). */
export function checkPausable(sub: Subscription): void {
  if (sub.status !== 'active' && sub.status !== 'authenticated')
    fail({ description: `Subscription is not pausable in ${sub.status} status.`, field: 'status' })
}

export function checkResumable(sub: Subscription): void {
  if (sub.status !== 'paused')
    fail({ description: `Subscription is not resumable in ${sub.status} status.`, field: 'status' })
}

/** Updates apply to authenticated and active subscriptions only. */
export function checkUpdatable(sub: Subscription): void {
  if (sub.status !== 'active' && sub.status !== 'authenticated')
    fail({ description: `Subscription cannot be updated in ${sub.status} status.`, field: 'status' })
}

/** The end of one billing cycle that starts at `from` (unix seconds), in calendar terms for months and years. */
export function cycleEnd(from: number, period: PlanPeriod, interval: number): number {
  const d = new Date(from * 1000)
  switch (period) {
    case 'daily':
      d.setUTCDate(d.getUTCDate() + interval)
      break
    case 'weekly':
      d.setUTCDate(d.getUTCDate() + 7 * interval)
      break
    case 'monthly':
      d.setUTCMonth(d.getUTCMonth() + interval)
      break
    case 'quarterly':
      d.setUTCMonth(d.getUTCMonth() + 3 * interval)
      break
    case 'yearly':
      d.setUTCFullYear(d.getUTCFullYear() + interval)
      break
  }
  return Math.floor(d.getTime() / 1000)
}
