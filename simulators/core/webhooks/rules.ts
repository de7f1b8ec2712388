import { z } from 'zod'
import { FieldMatcher } from '../faults/schema.ts'
import { RuleLimits } from '../rules/counting.ts'
import { WebhookEffect } from './effects/index.ts'

export { WebhookEffect }

/** Which events a rule acts on. */
export const WebhookMatch = z
  .object({
    provider: z.string().min(1).optional(),
    eventType: z
      .string()
      .min(1)
      .optional()
      .describe("exact type, or a prefix ending in * ('payment_intent.*')"),
    account: z.string().optional(),
    payload: z
      .record(z.string().min(1), FieldMatcher)
      .optional()
      .describe('dotted payload field → condition'),
  })
  .strict()
export type WebhookMatch = z.infer<typeof WebhookMatch>

/** A webhook rule as the control plane takes it: `times`, `after` and `probability` count deliveries (one per endpoint). */
export const WebhookRuleInput = z
  .object({
    name: z.string().max(200).optional(),
    match: WebhookMatch.default({}),
    effect: WebhookEffect,
    ...RuleLimits.shape,
  })
  .strict()
export type WebhookRuleInput = z.input<typeof WebhookRuleInput>

export const WebhookRule = WebhookRuleInput.extend({
  id: z.string(),
  match: WebhookMatch,
  /** Deliveries the rule matched, whether or not it fired. */
  seen: z.number().int(),
  /** Deliveries it changed. */
  fired: z.number().int(),
  createdAt: z.string(),
  /** What the rule does, in words. */
  explanation: z.string(),
})
export type WebhookRule = z.infer<typeof WebhookRule>
