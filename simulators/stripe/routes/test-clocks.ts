import { z } from 'zod'
import { runBilling } from '../billing-clock.ts'
import { invalidRequest } from '../errors.ts'
import type { TestClock } from '../models.ts'
import { expandShape, listShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, respond, route, source } from './shared.ts'

/**
 * Test clocks: each has its own frozen time, independent of the virtual clock.
 * Advancing runs every renewal, finalization and dunning retry of the clock's
 * customers in order of simulated time, then the clock is ready again.
 */
export const testClocks = [
  route({
    operation: 'test_helpers.test_clocks.create',
    method: 'POST',
    path: '/v1/test_helpers/test_clocks',
    input: params('POST', '/v1/test_helpers/test_clocks', {
      ...expandShape,
      frozen_time: z.number(),
      name: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const created = ctx.clock.unix()
      const clock = {
        ...blank('test_helpers.test_clock'),
        id: ctx.ids.mint('clock_', 24),
        object: 'test_helpers.test_clock',
        created,
        deletes_after: created + 30 * 86_400,
        frozen_time: input.frozen_time,
        livemode: false,
        name: input.name ?? null,
        status: 'ready',
      } as unknown as TestClock
      ctx.state.testClocks.insert(clock)
      emitEvent(source(req, ctx, clock.frozen_time), 'test_helpers.test_clock.created', clock)
      return respond(req, ctx, clock, input.expand)
    },
  }),
  route({
    operation: 'test_helpers.test_clocks.retrieve',
    method: 'GET',
    path: '/v1/test_helpers/test_clocks/:test_clock',
    input: params('GET', '/v1/test_helpers/test_clocks/{test_clock}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.testClocks, req.params.test_clock!, 'test_clock', 'test_clock'),
        input.expand,
      ),
  }),
  route({
    operation: 'test_helpers.test_clocks.list',
    method: 'GET',
    path: '/v1/test_helpers/test_clocks',
    input: params('GET', '/v1/test_helpers/test_clocks', listShape),
    handler: (req, ctx, input) => list(req, ctx, ctx.state.testClocks, input, '/v1/test_helpers/test_clocks'),
  }),
  route({
    operation: 'test_helpers.test_clocks.delete',
    method: 'DELETE',
    path: '/v1/test_helpers/test_clocks/:test_clock',
    handler: (req, ctx) => {
      const clock = find(ctx.state.testClocks, req.params.test_clock!, 'test_clock', 'test_clock')
      // Deleting a clock deletes the customers on it, and with them their subscriptions.
      for (const customer of ctx.state.customers.filter((c) => c.test_clock === clock.id)) {
        customer.deleted = true
        for (const sub of ctx.state.subscriptions.filter((s) => s.customer === customer.id))
          sub.status = 'canceled'
      }
      ctx.state.testClocks.delete(clock.id)
      emitEvent(source(req, ctx, clock.frozen_time), 'test_helpers.test_clock.deleted', clock)
      return respond(req, ctx, { id: clock.id, object: 'test_helpers.test_clock', deleted: true })
    },
  }),
  route({
    operation: 'test_helpers.test_clocks.advance',
    method: 'POST',
    path: '/v1/test_helpers/test_clocks/:test_clock/advance',
    input: params('POST', '/v1/test_helpers/test_clocks/{test_clock}/advance', {
      ...expandShape,
      frozen_time: z.number(),
    }),
    handler: (req, ctx, input) => {
      const clock = find(ctx.state.testClocks, req.params.test_clock!, 'test_clock', 'test_clock')
      if (clock.status !== 'ready')
        invalidRequest(
          `The test clock ${clock.id} is currently advancing and cannot be advanced again until it is ready.`,
        )
      if (input.frozen_time <= clock.frozen_time)
        invalidRequest(
          `The frozen_time (${input.frozen_time}) must be after the test clock's current frozen_time (${clock.frozen_time}).`,
          'frozen_time',
        )
      clock.status = 'advancing'
      emitEvent(source(req, ctx, clock.frozen_time), 'test_helpers.test_clock.advancing', clock)
      // The answer is what Stripe answers at once: the clock advancing towards the new time.
      const answer = respond(req, ctx, { ...clock, frozen_time: clock.frozen_time }, input.expand)
      const customers = new Set(ctx.state.customers.filter((c) => c.test_clock === clock.id).map((c) => c.id))
      runBilling(ctx, customers, input.frozen_time, (at) => {
        clock.frozen_time = at
      })
      clock.frozen_time = input.frozen_time
      clock.status = 'ready'
      emitEvent(source(req, ctx, clock.frozen_time), 'test_helpers.test_clock.ready', clock)
      return answer
    },
  }),
]
