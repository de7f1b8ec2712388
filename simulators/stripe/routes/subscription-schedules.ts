import { z } from 'zod'
import { changeSubscription } from '../billing.ts'
import { scheduleRealtime } from '../billing-clock.ts'
import { invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import {
  activate,
  buildPhases,
  cancelSchedule,
  newSchedule,
  type PhaseInput,
  releaseSchedule,
  setCurrentPhase,
} from '../schedules.ts'
import type { StripeContext } from '../state.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  previousOf,
  respond,
  route,
  source,
  timeFor,
  transitionRoute,
} from './shared.ts'

/** Subscription schedules (schedules.ts holds the phase logic). */
const phaseInput = z.looseObject({
  items: z.array(z.looseObject({ price: z.string(), quantity: z.number().optional() })),
  iterations: z.number().optional(),
  end_date: z.number().optional(),
  trial: z.boolean().optional(),
  default_payment_method: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
})

const endBehavior = z.enum(['cancel', 'none', 'release', 'renew']).optional()

function after(ctx: StripeContext, customer: string) {
  if (!ctx.state.customers.get(customer)?.test_clock) scheduleRealtime(ctx)
}

export const subscriptionSchedules = [
  route({
    operation: 'subscription_schedules.create',
    method: 'POST',
    path: '/v1/subscription_schedules',
    input: params('POST', '/v1/subscription_schedules', {
      ...expandShape,
      ...metadataShape,
      customer: z.string().optional(),
      from_subscription: z.string().optional(),
      start_date: z.union([z.number(), z.literal('now')]).optional(),
      end_behavior: endBehavior,
      phases: z.array(phaseInput).optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.from_subscription && (input.customer || input.phases))
        invalidRequest(
          'You cannot set `customer` or `phases` when `from_subscription` is set.',
          input.customer ? 'customer' : 'phases',
        )
      const sub = input.from_subscription
        ? find(ctx.state.subscriptions, input.from_subscription, 'subscription', 'from_subscription')
        : undefined
      if (sub?.schedule)
        invalidRequest(`The subscription ${sub.id} is already attached to a schedule.`, 'from_subscription')
      const customerId = sub?.customer ?? input.customer
      if (!customerId) invalidRequest('Missing required param: customer.', 'customer', 'parameter_missing')
      const customer = find(ctx.state.customers, customerId!, 'customer', 'customer')
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const start = sub
        ? sub.current_period_start
        : input.start_date === undefined || input.start_date === 'now'
          ? src.at
          : input.start_date
      const phases = sub
        ? buildPhases(ctx, start, [
            {
              items: sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity })),
              end_date: sub.current_period_end,
            },
          ])
        : buildPhases(ctx, start, (input.phases ?? []) as PhaseInput[])
      const schedule = newSchedule(src, {
        customer: customer.id,
        phases,
        end_behavior: input.end_behavior ?? 'release',
        metadata: mergeMetadata({}, input.metadata),
        test_clock: customer.test_clock,
      })
      if (sub) {
        sub.schedule = schedule.id
        schedule.subscription = sub.id
        schedule.status = 'active'
        setCurrentPhase(schedule, src.at)
      } else if (start <= src.at) activate(src, schedule)
      after(ctx, customer.id)
      return respond(req, ctx, schedule, input.expand)
    },
  }),
  route({
    operation: 'subscription_schedules.retrieve',
    method: 'GET',
    path: '/v1/subscription_schedules/:schedule',
    input: params('GET', '/v1/subscription_schedules/{schedule}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.schedules, req.params.schedule!, 'subscription schedule', 'schedule'),
        input.expand,
      ),
  }),
  route({
    operation: 'subscription_schedules.update',
    method: 'POST',
    path: '/v1/subscription_schedules/:schedule',
    input: params('POST', '/v1/subscription_schedules/{schedule}', {
      ...expandShape,
      ...metadataShape,
      end_behavior: endBehavior,
      phases: z
        .array(phaseInput.extend({ start_date: z.union([z.number(), z.literal('now')]).optional() }))
        .optional(),
    }),
    handler: (req, ctx, input) => {
      const schedule = find(ctx.state.schedules, req.params.schedule!, 'subscription schedule', 'schedule')
      if (schedule.status !== 'active' && schedule.status !== 'not_started')
        invalidRequest(
          `You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in \`not_started\` or \`active\`.`,
        )
      const src = source(req, ctx, timeFor(ctx, schedule.customer))
      const before = structuredClone(schedule)
      if (input.end_behavior) schedule.end_behavior = input.end_behavior
      schedule.metadata = mergeMetadata(schedule.metadata, input.metadata)
      if (input.phases) {
        const first = input.phases[0]?.start_date
        const start = first === undefined || first === 'now' ? schedule.phases[0]!.start_date : first
        if (schedule.status === 'active' && start !== schedule.phases[0]!.start_date)
          invalidRequest('You can not modify the start date of the current phase.', 'phases[0][start_date]')
        schedule.phases = buildPhases(ctx, start, input.phases as PhaseInput[])
        if (schedule.status === 'active') {
          setCurrentPhase(schedule, src.at)
          const sub = schedule.subscription ? ctx.state.subscriptions.get(schedule.subscription) : undefined
          const phase = schedule.phases.find((p) => p.start_date <= src.at && src.at < p.end_date)
          if (sub && phase)
            changeSubscription(src, sub, (s) => {
              s.items.data = phase.items.map((item, i) => ({
                ...(s.items.data[i] ?? s.items.data[0]!),
                ...(s.items.data[i] ? {} : { id: ctx.ids.mint('si_', 14) }),
                price: structuredClone(ctx.state.prices.get(item.price)!),
                quantity: item.quantity,
              })) as typeof s.items.data
            })
        }
      }
      const previous = previousOf(before as never, schedule as never)
      if (Object.keys(previous).length > 0)
        emitEvent(src, 'subscription_schedule.updated', schedule, previous)
      after(ctx, schedule.customer)
      return respond(req, ctx, schedule, input.expand)
    },
  }),
  transitionRoute({
    operation: 'subscription_schedules.release',
    base: '/v1/subscription_schedules',
    param: 'schedule',
    action: 'release',
    noun: 'subscription schedule',
    collection: (ctx) => ctx.state.schedules,
    move: releaseSchedule,
    accepts: { preserve_cancel_date: z.boolean().optional() },
  }),
  transitionRoute({
    operation: 'subscription_schedules.cancel',
    base: '/v1/subscription_schedules',
    param: 'schedule',
    action: 'cancel',
    noun: 'subscription schedule',
    collection: (ctx) => ctx.state.schedules,
    move: cancelSchedule,
    accepts: { invoice_now: z.boolean().optional(), prorate: z.boolean().optional() },
  }),
  route({
    operation: 'subscription_schedules.list',
    method: 'GET',
    path: '/v1/subscription_schedules',
    input: params('GET', '/v1/subscription_schedules', { ...listShape, customer: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.schedules, input, '/v1/subscription_schedules', (s) =>
        matchesGiven(input, s, ['customer']),
      ),
  }),
]
