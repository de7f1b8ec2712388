import { z } from 'zod'
import { defineWebhookEffect } from './effect.ts'

/** Holds a delivery until a later one to the same endpoint has been delivered (or the hold runs out): events arrive out of order. */
export const reorder = defineWebhookEffect({
  type: 'reorder',
  schema: z
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
  onCopies: false,
  start: (e, start) => {
    start.holdMs = e.holdMs
  },
  explain: (e) =>
    `hold it until a later event to the same endpoint is delivered (at most ${e.holdMs} virtual ms)`,
})
