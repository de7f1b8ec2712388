import { z } from 'zod'
import { defineWebhookEffect } from './effect.ts'

/** The first attempt goes out late, in virtual time (delays of several rules add up). */
export const delay = defineWebhookEffect({
  type: 'delay',
  schema: z
    .object({
      type: z.literal('delay'),
      ms: z
        .number()
        .int()
        .min(1)
        .max(30 * 86_400_000),
    })
    .strict(),
  onCopies: false,
  start: (e, start) => {
    start.delayMs += e.ms
  },
  explain: (e) => `delay the first attempt by ${e.ms} virtual ms`,
})
