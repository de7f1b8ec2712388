import type { Subscription } from '../billing-models.ts'
import { checkUpdatable } from '../billing-models.ts'
import {
  PauseParams,
  ResumeParams,
  SubscriptionCancelParams,
  SubscriptionCreateParams,
  SubscriptionListParams,
  SubscriptionUpdateParams,
} from '../billing-params.ts'
import { checkId } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { wireNotes } from '../models.ts'
import { cancelScheduledChange, update, withScheduledChange } from '../subscription-changes.ts'
import { scheduleExpiry } from '../subscription-timing.ts'
import { cancel, moveStart, pause, resume } from '../subscriptions.ts'
import { findCustomer } from './customers.ts'
import { findPlan } from './plans.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

/** Subscriptions: create, fetch, list, update, cancel, pause, resume, scheduled changes (subscriptions.ts has the life cycle). */

export function findSubscription(ctx: Ctx, id: string): Subscription {
  checkId(id, 'sub_')
  const found = ctx.state.billing.subscriptions.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

/** A short link on standin's own host (Razorpay's are rzp.io/i/…): opens the hosted page (routes/hosted.ts). */
export function shortUrl(ctx: Ctx, kind: 'subscription' | 'payment_link', id: string): string {
  const code = ctx.ids.mint('', 9)
  ctx.state.billing.shortLinks.set(code, { kind, id })
  return `${ctx.baseUrl}/i/${code}`
}

const path = (suffix = '') => `/v1/subscriptions/:id${suffix}`

export const subscriptionRoutes = [
  apiRoute({
    operation: 'subscriptions.create',
    method: 'POST',
    path: '/v1/subscriptions',
    input: SubscriptionCreateParams,
    handler: (_req, ctx, input) => {
      const plan = findPlan(ctx, input.plan_id!)
      const now = ctx.clock.unix()
      if (input.start_at !== undefined && input.start_at < now)
        invalidParam('start_at cannot be lesser than the current time.', 'start_at')
      if (input.expire_by !== undefined && input.expire_by < now)
        invalidParam('expire_by cannot be lesser than the current time.', 'expire_by')
      if (input.customer_id !== undefined) findCustomer(ctx, input.customer_id)
      for (const addon of input.addons ?? [])
        if (addon.item.currency !== plan.item.currency)
          invalidParam('Addon currency should be same as plan currency.', 'addons.item.currency')
      const id = ctx.ids.mint('sub_', 14)
      const sub = ctx.state.billing.subscriptions.insert({
        id,
        entity: 'subscription',
        plan_id: plan.id,
        customer_id: input.customer_id ?? null,
        status: 'created',
        current_start: null,
        current_end: null,
        ended_at: null,
        quantity: input.quantity ?? 1,
        notes: wireNotes(input.notes),
        charge_at: input.start_at ?? null,
        start_at: input.start_at ?? null,
        end_at: null,
        auth_attempts: 0,
        total_count: input.total_count!,
        paid_count: 0,
        customer_notify: input.customer_notify ?? true,
        created_at: now,
        expire_by: input.expire_by ?? null,
        short_url: shortUrl(ctx, 'subscription', id),
        has_scheduled_changes: false,
        change_scheduled_at: null,
        source: 'api',
        offer_id: null,
        remaining_count: input.total_count!,
      })
      const addons = (input.addons ?? []).reduce((sum, a) => sum + a.item.amount!, 0)
      if (addons > 0) ctx.state.billing.addons.set(id, addons)
      scheduleExpiry(ctx, sub)
      return { status: 200, body: sub }
    },
  }),
  apiRoute({
    operation: 'subscriptions.all',
    method: 'GET',
    path: '/v1/subscriptions',
    input: SubscriptionListParams,
    handler: (_req, ctx, input) => {
      const subs = ctx.state.billing.subscriptions.filter(
        (s) => input.plan_id === undefined || s.plan_id === input.plan_id,
      )
      return { status: 200, body: collection(subs, input) }
    },
  }),
  apiRoute({
    operation: 'subscriptions.fetch',
    method: 'GET',
    path: path(),
    handler: (req, ctx) => ({ status: 200, body: findSubscription(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'subscriptions.update',
    method: 'PATCH',
    path: path(),
    input: SubscriptionUpdateParams,
    handler: (req, ctx, input) => {
      const sub = findSubscription(ctx, req.params.id!)
      checkUpdatable(sub)
      if (input.plan_id !== undefined) {
        const plan = findPlan(ctx, input.plan_id)
        const current = findPlan(ctx, sub.plan_id)
        if (plan.item.currency !== current.item.currency)
          invalidParam('Plan currency should be same as the current plan currency.', 'plan_id')
      }
      if (
        input.plan_id === undefined &&
        input.quantity === undefined &&
        input.remaining_count === undefined &&
        input.start_at === undefined
      )
        invalidParam('At least one of plan_id, quantity, remaining_count or start_at is required.', null)
      if (input.start_at !== undefined) {
        // start_at moves only before the first charge.
        if (sub.status !== 'authenticated')
          invalidParam('start_at can be updated only for authenticated subscriptions.', 'start_at')
        if (input.start_at < ctx.clock.unix())
          invalidParam('start_at cannot be lesser than the current time.', 'start_at')
      }
      if (input.start_at !== undefined) moveStart(ctx, sub, input.start_at)
      const change = {
        plan_id: input.plan_id,
        quantity: input.quantity,
        remaining_count: input.remaining_count,
      }
      update(ctx, sub, change, input.schedule_change_at ?? 'now')
      return { status: 200, body: sub }
    },
  }),
  apiRoute({
    operation: 'subscriptions.pendingUpdate',
    method: 'GET',
    path: path('/retrieve_scheduled_changes'),
    handler: (req, ctx) => ({
      status: 200,
      body: withScheduledChange(ctx, findSubscription(ctx, req.params.id!)),
    }),
  }),
  apiRoute({
    operation: 'subscriptions.cancelScheduledChanges',
    method: 'POST',
    path: path('/cancel_scheduled_changes'),
    handler: (req, ctx) => {
      const sub = findSubscription(ctx, req.params.id!)
      cancelScheduledChange(ctx, sub)
      return { status: 200, body: sub }
    },
  }),
  apiRoute({
    operation: 'subscriptions.cancel',
    method: 'POST',
    path: path('/cancel'),
    input: SubscriptionCancelParams,
    handler: (req, ctx, input) => {
      const sub = findSubscription(ctx, req.params.id!)
      cancel(ctx, sub, input.cancel_at_cycle_end ?? false)
      return { status: 200, body: sub }
    },
  }),
  apiRoute({
    operation: 'subscriptions.pause',
    method: 'POST',
    path: path('/pause'),
    input: PauseParams,
    handler: (req, ctx) => {
      const sub = findSubscription(ctx, req.params.id!)
      pause(ctx, sub)
      return { status: 200, body: sub }
    },
  }),
  apiRoute({
    operation: 'subscriptions.resume',
    method: 'POST',
    path: path('/resume'),
    input: ResumeParams,
    handler: (req, ctx) => {
      const sub = findSubscription(ctx, req.params.id!)
      resume(ctx, sub)
      return { status: 200, body: sub }
    },
  }),
]
