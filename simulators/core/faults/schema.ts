import { z } from 'zod'
import { RuleLimits } from '../rules/counting.ts'
import { FaultEffect } from './effects/index.ts'

/** A field condition: a plain value means "equals" (compared as strings, since forms carry strings). */
export const FieldMatcher = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z
    .object({
      equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
      contains: z.string().optional(),
      regex: z.string().optional(),
      exists: z.boolean().optional(),
      oneOf: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .strict(),
])
export type FieldMatcher = z.infer<typeof FieldMatcher>

const fields = z
  .record(z.string().min(1), FieldMatcher)
  .optional()
  .describe(
    'dotted field path → condition, e.g. { "metadata.order_id": "o_81", "To": { "regex": "^\\\\+8210" } }',
  )

export const FaultMatch = z
  .object({
    provider: z.string().min(1).optional(),
    operation: z
      .string()
      .min(1)
      .optional()
      .describe("the provider's operation name, e.g. 'payment_intents.create'"),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    path: z.string().startsWith('/').optional().describe('exact path, or a pattern with :param and *'),
    account: z.string().optional(),
    body: fields,
    query: fields,
    headers: fields,
  })
  .strict()
export type FaultMatch = z.infer<typeof FaultMatch>

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
