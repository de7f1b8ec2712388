import { z } from 'zod'
import { RuleLimits } from '../rules/counting.ts'
import { FaultEffect } from './effects/index.ts'
import { FaultMatch } from './match.ts'

export { FaultMatch, FieldMatcher } from './match.ts'

export const FaultRuleInput = z
  .object({
    name: z.string().max(200).optional(),
    match: FaultMatch.default({}),
    effect: FaultEffect,
    // How often it fires: shared with webhook rules (core/rules/counting.ts).
    ...RuleLimits.shape,
  })
  .strict()
export type FaultRuleInput = z.input<typeof FaultRuleInput>

export const FaultRule = FaultRuleInput.extend({
  id: z.string(),
  match: FaultMatch,
  createdAt: z.string(),
  /** Requests that matched, whether or not the rule fired. */
  seen: z.number().int(),
  /** Times the effect was applied. */
  fired: z.number().int(),
  explanation: z.string(),
})
export type FaultRule = z.infer<typeof FaultRule>
