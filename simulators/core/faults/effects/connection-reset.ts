import { z } from 'zod'
import { defineEffect, PHASE_DESCRIPTION } from './effect.ts'

/** Destroys the connection with no answer: the client sees ECONNRESET / "socket hang up". */
export const connectionReset = defineEffect({
  type: 'connection-reset',
  schema: z.object({
    type: z.literal('connection-reset'),
    phase: z.enum(['before', 'after']).default('before').describe(PHASE_DESCRIPTION),
  }),
  terminal: true,
  apply: (e) => ({ kind: 'wire', phase: e.phase, params: undefined }),
  explain: (e) => `reset the connection${e.phase === 'after' ? ' after processing' : ''}`,
  render: {
    journal: 'reset',
    fastify: (res) => void res.socket?.destroy(),
    msw: () => Response.error(),
  },
})
