import { z } from 'zod'
import { FieldMatcher } from '../faults/schema.ts'

/** What a webhook rule does to the deliveries of the events it matches. */
export const WebhookEffect = z.discriminatedUnion('type', [
  z.object({ type: z.literal('duplicate'), copies: z.number().int().min(1).max(20).default(1) }).strict(),
  z
    .object({
      type: z.literal('delay'),
      ms: z
        .number()
        .int()
        .min(1)
        .max(30 * 86_400_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('drop'),
      attempts: z
        .number()
        .int()
        .min(1)
        .max(100)
        .describe('the first N attempts are lost in transit and count as failed'),
    })
    .strict(),
  z
    .object({
      type: z.literal('reorder'),
      holdMs: z
        .number()
        .int()
        .min(1)
        .max(86_400_000)
        .default(60_000)
        .describe('virtual ms to wait for a later event to overtake'),
    })
    .strict(),
  z.object({ type: z.literal('bad-signature'), attempts: z.number().int().min(1).optional() }).strict(),
  z
    .object({
      type: z.literal('stale-timestamp'),
      seconds: z
        .number()
        .int()
        .min(1)
        .default(3600)
        .describe('how far in the past the signature timestamp is'),
      attempts: z.number().int().min(1).optional(),
    })
    .strict(),
])
export type WebhookEffect = z.infer<typeof WebhookEffect>

export const WebhookRuleInput = z
  .object({
    name: z.string().max(200).optional(),
    match: z
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
      .default({}),
    effect: WebhookEffect,
    times: z.number().int().min(1).optional(),
    after: z.number().int().min(0).optional(),
  })
  .strict()
export type WebhookRuleInput = z.input<typeof WebhookRuleInput>

export const WebhookRule = WebhookRuleInput.extend({
  id: z.string(),
  match: WebhookRuleInput.shape.match.unwrap(),
  seen: z.number().int(),
  fired: z.number().int(),
  createdAt: z.string(),
})
export type WebhookRule = z.infer<typeof WebhookRule>
