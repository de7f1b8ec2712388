import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { route } from './api.ts'

/**
 * Only mounted with REFERENCE_TEST_CLOCK=1: journeys move the app's clock
 * (usually to standin's virtual time) so minutes and days pass in seconds.
 */
export function testClockRoutes(ctx: Ctx, kick: () => void) {
  const state = () => ({ now: ctx.clock.now().toISOString(), nowMs: ctx.clock.nowMs() })
  return [
    route({
      method: 'GET',
      path: '/_test/clock',
      operationId: 'getTestClock',
      summary: 'Read the app clock (test only).',
      tag: 'test',
      auth: false,
      handler: async () => state(),
    }),
    route({
      method: 'POST',
      path: '/_test/clock',
      operationId: 'setTestClock',
      summary: 'Move the app clock: { advanceMs } or { now } (test only). Due jobs run at once.',
      tag: 'test',
      auth: false,
      body: z.union([z.object({ advanceMs: z.number().int().min(0) }), z.object({ now: z.iso.datetime() })]),
      handler: async ({ body }) => {
        if ('advanceMs' in body) ctx.clock.advance(body.advanceMs)
        else ctx.clock.set(new Date(body.now))
        kick()
        return state()
      },
    }),
  ]
}
