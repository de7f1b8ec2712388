import type { Ctx } from '../../context.ts'
import { ApiError, conflict, notFound } from '../../errors.ts'
import { route } from '../../http/api.ts'
import { newId } from '../../ids.ts'
import { RetryLater } from '../../jobs/worker.ts'
import { ProviderCallError } from '../../providers/retry.ts'
import type { FlowModule } from '../module.ts'
import { allBillings, billingFor, billingOf, SubscribeBody } from './billing.ts'
import { currentSubscription, getSubscription, presentSubscription, type SubscriptionRow } from './model.ts'

function routes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/subscriptions',
      operationId: 'subscribePremium',
      summary:
        'Subscribe to Premium: Stripe subscription, or a Toss billing key (authKey/customerKey from requestBillingAuth) charged monthly.',
      tag: 'subscriptions',
      status: 201,
      body: SubscribeBody,
      errors: { 402: 'first charge declined', 409: 'already subscribed', 502: 'provider unavailable' },
      handler: async ({ user, body }) => {
        const existing = await currentSubscription(ctx.db, user.id)
        if (existing && (existing.status === 'active' || existing.status === 'past_due'))
          throw conflict('already_subscribed', 'You already have Premium.', 'provider')
        const id = newId('sub')
        let checkoutUrl: string | null = null
        try {
          checkoutUrl = await billingFor(body).start(ctx, { userId: user.id, subscriptionId: id, body })
        } catch (error) {
          if (error instanceof ProviderCallError)
            throw error.retryable
              ? new ApiError(502, 'provider_unavailable', `${error.provider} did not answer; try again.`)
              : new ApiError(402, 'payment_failed', error.message, undefined, { providerCode: error.code })
          throw error
        }
        return { ...presentSubscription(ctx, await getSubscription(ctx.db, id)), checkoutUrl }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/subscriptions/current',
      operationId: 'getSubscription',
      summary: 'Premium status and the current subscription.',
      tag: 'subscriptions',
      handler: async ({ user }) => {
        const [s] = await ctx.db.query<SubscriptionRow>(
          'SELECT * FROM subscriptions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
          [user.id],
        )
        return presentSubscription(ctx, s)
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/subscriptions/current',
      operationId: 'cancelSubscription',
      summary: 'Cancel Premium (it stays until the paid period ends).',
      tag: 'subscriptions',
      errors: { 404: 'no subscription' },
      handler: async ({ user }) => {
        const s = await currentSubscription(ctx.db, user.id)
        if (!s || !['active', 'past_due'].includes(s.status)) throw notFound('Active subscription')
        await billingOf(s.provider)?.cancelAtProvider(ctx, s, `${s.id}:cancel`)
        await ctx.db.query(`UPDATE subscriptions SET status = 'canceled', updated_at = $2 WHERE id = $1`, [
          s.id,
          ctx.clock.now(),
        ])
        return presentSubscription(ctx, await getSubscription(ctx.db, s.id))
      },
    }),
  ]
}

function jobs(ctx: Ctx) {
  return {
    ...Object.assign({}, ...allBillings().map((b) => b.jobs?.(ctx) ?? {})),
    'subscription.grace-check': async (payload: Record<string, unknown>) => {
      // The defect: nobody ever checks whether the grace period ran out.
      if (ctx.defects.has('failed-renewal-never-downgrades')) return
      const s = await getSubscription(ctx.db, payload.subscriptionId)
      if (s?.status !== 'past_due' || !s.grace_until) return
      if (s.grace_until.getTime() > ctx.clock.nowMs()) throw new RetryLater(s.grace_until)
      await ctx.db.query(
        `UPDATE subscriptions SET status = 'expired', updated_at = $2 WHERE id = $1 AND status = 'past_due'`,
        [s.id, ctx.clock.now()],
      )
      await billingOf(s.provider)
        ?.cancelAtProvider(ctx, s, `${s.id}:cancel-after-grace`)
        .catch(() => {})
    },
  }
}

/** Premium: subscribe, show, cancel; renewals and the grace period's end as jobs. */
export const subscriptions: FlowModule = { routes, jobs }
