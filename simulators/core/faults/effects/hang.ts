import { z } from 'zod'
import { defineEffect, PHASE_DESCRIPTION, pause } from './effect.ts'

/**
 * Never answers, so the client's own timeout fires. The connection is closed
 * after `ms` (default 5 minutes) so a client without a timeout is not held forever.
 */
export const hang = defineEffect({
  type: 'hang',
  schema: z.object({
    type: z.literal('hang'),
    ms: z.number().int().min(1).max(3_600_000).optional(),
    phase: z.enum(['before', 'after']).default('before').describe(PHASE_DESCRIPTION),
  }),
  terminal: true,
  apply: (e) => ({ kind: 'wire', phase: e.phase, params: e.ms ?? 300_000 }),
  explain: (e) =>
    `hang ${e.ms ?? 300_000}ms without answering${e.phase === 'after' ? ' after processing' : ''}`,
  render: {
    journal: 'hang',
    fastify: (res, _answer, ms: number) => {
      const socket = res.socket
      if (!socket) return
      const timer = setTimeout(() => socket.destroy(), ms)
      timer.unref()
      socket.once('close', () => clearTimeout(timer))
    },
    msw: async (_answer, ms: number) => {
      await pause(ms)
      return Response.error()
    },
  },
})
