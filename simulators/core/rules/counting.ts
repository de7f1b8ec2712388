import { z } from 'zod'
import type { Random } from '../random.ts'

/**
 * How often a rule fires, shared by fault rules and webhook rules: let the
 * first `after` matches through, fire at most `times` times, and on each
 * eligible match fire with `probability` (drawn from a seeded stream, so a run
 * replays). A rule carries its own `seen` and `fired` counters.
 */
export const RuleLimits = z.object({
  times: z.number().int().min(1).optional().describe('fire at most this many times, then stop'),
  after: z.number().int().min(0).optional().describe('let the first N matches through untouched'),
  probability: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('chance of firing on each eligible match (seeded)'),
})
export type RuleLimits = z.infer<typeof RuleLimits>

/** What a rule has counted: matches (`seen`, fired or not) and times its effect was applied (`fired`). */
export interface RuleCounters {
  seen: number
  fired: number
}

/**
 * Counts one match of `rule` and says whether it fires; updates `seen` always
 * and `fired` when it fires. Draws from `random` only when `probability` is set
 * and the rule is otherwise eligible, so rules without one never shift the stream.
 */
export function countMatch(rule: RuleLimits & RuleCounters, random: Random): boolean {
  rule.seen++
  if (rule.after !== undefined && rule.seen <= rule.after) return false
  if (rule.times !== undefined && rule.fired >= rule.times) return false
  if (rule.probability !== undefined && random() >= rule.probability) return false
  rule.fired++
  return true
}

/** "2 times after 1 with probability 0.5", or "every time": the limits part of a rule's explanation. */
export function describeLimits(rule: RuleLimits): string {
  return [
    rule.times !== undefined ? `${rule.times} time${rule.times === 1 ? '' : 's'}` : 'every time',
    rule.after !== undefined ? `after ${rule.after}` : '',
    rule.probability !== undefined ? `with probability ${rule.probability}` : '',
  ]
    .filter(Boolean)
    .join(' ')
}
