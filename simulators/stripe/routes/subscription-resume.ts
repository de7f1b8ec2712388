import { z } from 'zod'
import { scheduleRealtime } from '../billing-clock.ts'
import { invalidRequest } from '../errors.ts'
import { expandShape, params } from '../params.ts'
import { resumeSubscription } from '../pause.ts'
import { find, respond, route, source, timeFor } from './shared.ts'

/** POST /v1/subscriptions/{id}/resume: a paused subscription starts a new paid period. */
export const subscriptionResume = [
  route({
    operation: 'subscriptions.resume',
    method: 'POST',
    path: '/v1/subscriptions/:subscription/resume',
    input: params('POST', '/v1/subscriptions/{subscription}/resume', {
      ...expandShape,
      billing_cycle_anchor: z.enum(['now', 'unchanged']).optional(),
    }),
    handler: (req, ctx, input) => {
      const sub = find(ctx.state.subscriptions, req.params.subscription!, 'subscription', 'subscription')
      if (input.billing_cycle_anchor === 'unchanged')
        invalidRequest(
          'standin resumes a subscription with billing_cycle_anchor=now only.',
          'billing_cycle_anchor',
        )
      resumeSubscription(source(req, ctx, timeFor(ctx, sub.customer)), sub)
      const customer = ctx.state.customers.get(sub.customer)
      if (!customer?.test_clock) scheduleRealtime(ctx)
      return respond(req, ctx, sub, input.expand)
    },
  }),
]
