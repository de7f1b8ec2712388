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
  apply: (e) => ({ kind: 'reset', phase: e.phase }),
  explain: (e) => `reset the connection${e.phase === 'after' ? ' after processing' : ''}`,
})
