import { z } from 'zod'
import type { Random } from '../../random.ts'
import { defineEffect, PHASE_DESCRIPTION } from './effect.ts'

/**
 * Adds real latency before the answer: fixed, uniform in a range, or drawn
 * from a log-normal with the given p50 and p99 (a long tail, as real APIs have).
 */
export const latency = defineEffect({
  type: 'latency',
  schema: z
    .object({
      type: z.literal('latency'),
      ms: z.number().min(0).max(600_000).optional().describe('fixed delay'),
      min: z.number().min(0).max(600_000).optional(),
      max: z.number().min(0).max(600_000).optional(),
      p50: z.number().positive().max(600_000).optional(),
      p99: z.number().positive().max(600_000).optional(),
      phase: z.enum(['before', 'after']).default('before').describe(PHASE_DESCRIPTION),
    })
    .superRefine((e, ctx) => {
      const fixed = e.ms !== undefined
      const uniform = e.min !== undefined || e.max !== undefined
      const dist = e.p50 !== undefined || e.p99 !== undefined
      if ([fixed, uniform, dist].filter(Boolean).length !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['ms'],
          message: 'give exactly one of: ms; min and max; p50 and p99',
        })
      if (uniform && (e.min === undefined || e.max === undefined || e.min > e.max))
        ctx.addIssue({ code: 'custom', path: ['max'], message: 'uniform latency needs min <= max' })
      if (dist && (e.p50 === undefined || e.p99 === undefined || e.p99 < e.p50))
        ctx.addIssue({ code: 'custom', path: ['p99'], message: 'distribution needs p50 <= p99' })
    }),
  terminal: false,
  apply: (e, ctx) => ({ kind: 'delay', ms: sample(e, ctx.random), phase: e.phase }),
  explain: (e) =>
    e.ms !== undefined
      ? `delay ${e.ms}ms`
      : e.min !== undefined
        ? `delay ${e.min}-${e.max}ms`
        : `delay p50 ${e.p50}ms p99 ${e.p99}ms`,
})

function sample(
  e: { ms?: number; min?: number; max?: number; p50?: number; p99?: number },
  random: Random,
): number {
  if (e.ms !== undefined) return e.ms
  if (e.min !== undefined && e.max !== undefined) return e.min + random() * (e.max - e.min)
  const p50 = e.p50!
  const p99 = e.p99!
  // Log-normal: median p50, and p99 at 2.326 standard deviations.
  const sigma = Math.log(p99 / p50) / 2.3263
  const u1 = Math.max(random(), Number.EPSILON)
  const u2 = random()
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  return Math.min(600_000, p50 * Math.exp(sigma * z))
}
