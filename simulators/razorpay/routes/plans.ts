import type { Plan } from '../billing-models.ts'
import { PlanCreateParams, PlanListParams } from '../billing-params.ts'
import { checkId } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { wireNotes } from '../models.ts'
import { SUPPORTED_CURRENCIES } from '../test-values.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

/** Plans: create, fetch, list. A plan cannot be edited or deleted once created (the docs' warning). */

export function findPlan(ctx: Ctx, id: string): Plan {
  checkId(id, 'plan_')
  const found = ctx.state.billing.plans.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

export const planRoutes = [
  apiRoute({
    operation: 'plans.create',
    method: 'POST',
    path: '/v1/plans',
    input: PlanCreateParams,
    handler: (_req, ctx, input) => {
      if (input.period === undefined) invalidParam('The period field is required.', 'period')
      if (input.interval === undefined) invalidParam('The interval field is required.', 'interval')
      // "Plans with daily frequency should have the interval set to a value greater than 7" (min 7 in the entity docs).
      if (input.period === 'daily' && input.interval < 7)
        invalidParam('The interval must be at least 7 for daily plans.', 'interval')
      if (input.item === undefined) invalidParam('The item field is required.', 'item')
      const { name, description } = input.item
      const currency = input.item.currency!
      const amount = input.item.amount!
      if (!SUPPORTED_CURRENCIES.has(currency))
        fail({ description: 'Currency is not supported', field: 'item.currency' })
      if (amount < 100) invalidParam(`The amount must be at least ${currency} 1.00`, 'item.amount')
      const now = ctx.clock.unix()
      const plan = ctx.state.billing.plans.insert({
        id: ctx.ids.mint('plan_', 14),
        entity: 'plan',
        interval: input.interval,
        period: input.period,
        item: {
          id: ctx.ids.mint('item_', 14),
          active: true,
          name: name!,
          description: description ?? null,
          amount,
          unit_amount: amount,
          currency,
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
        notes: wireNotes(input.notes),
        created_at: now,
      })
      return { status: 200, body: plan }
    },
  }),
  apiRoute({
    operation: 'plans.all',
    method: 'GET',
    path: '/v1/plans',
    input: PlanListParams,
    handler: (_req, ctx, input) => ({ status: 200, body: collection(ctx.state.billing.plans.all(), input) }),
  }),
  apiRoute({
    operation: 'plans.fetch',
    method: 'GET',
    path: '/v1/plans/:id',
    handler: (req, ctx) => ({ status: 200, body: findPlan(ctx, req.params.id!) }),
  }),
]
