import { z } from 'zod'
import { defineEffect, PHASE_DESCRIPTION } from './effect.ts'

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
  apply: (e) => ({ kind: 'hang', ms: e.ms ?? 300_000, phase: e.phase }),
  explain: (e) =>
    `hang ${e.ms ?? 300_000}ms without answering${e.phase === 'after' ? ' after processing' : ''}`,
})
