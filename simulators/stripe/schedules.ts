import { cancelSubscription, changeSubscription, startSubscription } from './billing.ts'
import type { Schedule, SchedulePhase } from './billing-objects.ts'
import { invalidRequest } from './errors.ts'
import type { Price, Subscription } from './models.ts'
import { addInterval } from './periods.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { newSubscription } from './subscriptions.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export type { Schedule, SchedulePhase }

export interface PhaseInput {
  items: { price: string; quantity?: number | undefined }[]
  iterations?: number | undefined
  end_date?: number | undefined
  trial?: boolean | undefined
  default_payment_method?: string | undefined
  metadata?: Record<string, string> | undefined
}

function priceOf(ctx: StripeContext, id: string, param: string): Price {
  const price = ctx.state.prices.get(id)
  if (!price) invalidRequest(`No such price: '${id}'`, param, 'resource_missing')
  if (price!.type !== 'recurring')
    invalidRequest(
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
      param,
    )
  return price!
}

/** What a new schedule is made from; the rest starts as a schedule not yet started. */
export interface NewSchedule {
  customer: string
  phases: SchedulePhase[]
  end_behavior: Schedule['end_behavior']
  metadata: Schedule['metadata']
  test_clock: Schedule['test_clock']
}

/** A schedule, `not_started`, stored, with its `subscription_schedule.created` event (the API and triggers alike). */
export function newSchedule(src: EventSource, fields: NewSchedule): Schedule {
  const { ctx } = src
  const schedule: Schedule = {
    ...(blank('subscription_schedule') as object),
    id: ctx.ids.mint('sub_sched_', 24),
    object: 'subscription_schedule',
    application: null,
    canceled_at: null,
    completed_at: null,
    created: src.at,
    current_phase: null,
    customer: fields.customer,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { enabled: false },
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: null,
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: fields.end_behavior,
    livemode: false,
    metadata: fields.metadata,
    phases: fields.phases,
    released_at: null,
    released_subscription: null,
    status: 'not_started',
    subscription: null,
    test_clock: fields.test_clock,
  }
  ctx.state.schedules.insert(schedule)
  emitEvent(src, 'subscription_schedule.created', schedule)
  return schedule
}

/** Phases with their dates: each starts where the previous ended; `iterations` counts billing periods of its first price. */
export function buildPhases(ctx: StripeContext, start: number, input: PhaseInput[]): SchedulePhase[] {
  if (input.length === 0) invalidRequest('Missing required param: phases.', 'phases', 'parameter_missing')
  let at = start
  return input.map((phase, i) => {
    if (!phase.items?.length)
      invalidRequest(
        `Missing required param: phases[${i}][items].`,
        `phases[${i}][items]`,
        'parameter_missing',
      )
    const prices = phase.items.map((item, j) => priceOf(ctx, item.price, `phases[${i}][items][${j}][price]`))
    const rec = prices[0]!.recurring!
    if (phase.end_date !== undefined && phase.iterations !== undefined)
      invalidRequest(
        'You may only specify one of these parameters: end_date, iterations.',
        `phases[${i}][end_date]`,
      )
    const end = phase.end_date ?? addInterval(at, rec.interval, rec.interval_count * (phase.iterations ?? 1))
    if (end <= at)
      invalidRequest('The end_date of a phase must be after its start_date.', `phases[${i}][end_date]`)
    const built: SchedulePhase = {
      add_invoice_items: [],
      application_fee_percent: null,
      billing_cycle_anchor: null,
      billing_thresholds: null,
      collection_method: null,
      coupon: null,
      currency: prices[0]!.currency,
      default_payment_method: phase.default_payment_method ?? null,
      default_tax_rates: [],
      description: null,
      end_date: end,
      invoice_settings: null,
      items: phase.items.map((item) => ({
        billing_thresholds: null,
        metadata: {},
        price: item.price,
        quantity: item.quantity ?? 1,
        tax_rates: [],
      })),
      metadata: phase.metadata ?? {},
      on_behalf_of: null,
      proration_behavior: 'create_prorations',
      start_date: at,
      transfer_data: null,
      trial_end: phase.trial ? end : null,
    }
    at = end
    return built
  })
}

const phaseAt = (schedule: Schedule, at: number) =>
  schedule.phases.find((p) => p.start_date <= at && at < p.end_date)

function setCurrentPhase(schedule: Schedule, at: number): void {
  const phase = phaseAt(schedule, at)
  schedule.current_phase = phase ? { start_date: phase.start_date, end_date: phase.end_date } : null
}

/** Starts a schedule's subscription from its first phase. */
export function activate(src: EventSource, schedule: Schedule): void {
  const { ctx } = src
  const customer = ctx.state.customers.get(schedule.customer)!
  const phase = schedule.phases[0]!
  const prices = phase.items.map((i) => ({ price: ctx.state.prices.get(i.price)!, quantity: i.quantity }))
  const trialDays = phase.trial_end ? Math.round((phase.trial_end - src.at) / 86_400) : undefined
  const sub = newSubscription(src, customer, prices, {
    default_payment_method: phase.default_payment_method,
    metadata: { ...phase.metadata },
    trial_period_days: trialDays,
    prepare: (s) => {
      s.schedule = schedule.id
    },
  })
  schedule.subscription = sub.id
  schedule.status = 'active'
  setCurrentPhase(schedule, src.at)
  startSubscription(src, sub, { attempt: true })
}

/**
 * At a renewal of a scheduled subscription: move to the phase that covers the
 * new period, or end the schedule. True when the subscription was canceled
 * (nothing left to renew).
 */
export function advanceSchedule(src: EventSource, sub: Subscription): boolean {
  const { ctx } = src
  const schedule = sub.schedule ? ctx.state.schedules.get(sub.schedule as string) : undefined
  if (schedule?.status !== 'active') return false
  const at = sub.current_period_end
  const next = phaseAt(schedule, at)
  if (!next) {
    schedule.current_phase = null
    schedule.completed_at = src.at
    if (schedule.end_behavior === 'cancel') {
      schedule.status = 'completed'
      emitEvent(src, 'subscription_schedule.completed', schedule)
      cancelSubscription(src, sub, 'cancellation_requested')
      return true
    }
    schedule.status = 'released'
    schedule.released_at = src.at
    schedule.released_subscription = sub.id
    sub.schedule = null
    emitEvent(src, 'subscription_schedule.released', schedule)
    return false
  }
  const current = schedule.current_phase
  setCurrentPhase(schedule, at)
  if (current && current.start_date === next.start_date) return false
  changeSubscription(src, sub, (s) => {
    s.items.data = next.items.map((item, i) => {
      const existing = s.items.data[i]
      const price = structuredClone(ctx.state.prices.get(item.price)!)
      return existing
        ? { ...existing, price, quantity: item.quantity }
        : { ...s.items.data[0]!, id: ctx.ids.mint('si_', 14), price, quantity: item.quantity }
    }) as typeof s.items.data
  })
  emitEvent(src, 'subscription_schedule.updated', schedule)
  return false
}

/** Schedules due to start by `until` for these customers (run by billing's clock). */
export function dueSchedules(ctx: StripeContext, customers: Set<string>, until: number) {
  return ctx.state.schedules
    .filter(
      (s) => s.status === 'not_started' && customers.has(s.customer) && s.phases[0]!.start_date <= until,
    )
    .map((s) => ({ at: s.phases[0]!.start_date, run: (src: EventSource) => activate(src, s) }))
}

export function releaseSchedule(src: EventSource, schedule: Schedule): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    invalidRequest(
      `You cannot release a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in \`not_started\` or \`active\`.`,
    )
  const sub = schedule.subscription ? src.ctx.state.subscriptions.get(schedule.subscription) : undefined
  schedule.status = 'released'
  schedule.released_at = src.at
  schedule.released_subscription = sub?.id ?? null
  schedule.current_phase = null
  if (sub) sub.schedule = null
  emitEvent(src, 'subscription_schedule.released', schedule)
}

export function cancelSchedule(src: EventSource, schedule: Schedule): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    invalidRequest(
      `You cannot cancel a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in \`not_started\` or \`active\`.`,
    )
  const sub = schedule.subscription ? src.ctx.state.subscriptions.get(schedule.subscription) : undefined
  schedule.status = 'canceled'
  schedule.canceled_at = src.at
  schedule.current_phase = null
  emitEvent(src, 'subscription_schedule.canceled', schedule)
  if (sub && sub.status !== 'canceled') cancelSubscription(src, sub, 'cancellation_requested')
}

export { setCurrentPhase }
