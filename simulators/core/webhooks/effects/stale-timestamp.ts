import { z } from 'zod'
import { attemptsPhrase, defineWebhookEffect } from './effect.ts'

/** Signs with a timestamp in the past, so a receiver that checks the signature's age refuses it (replay protection). */
export const staleTimestamp = defineWebhookEffect({
  type: 'stale-timestamp',
  schema: z
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
  onCopies: true,
  attempt: (e, attempt) => {
    if (e.attempts !== undefined && attempt.n > e.attempts) return
    // Several stale rules: the oldest timestamp wins, they do not add up.
    attempt.timestamp = Math.min(attempt.timestamp, attempt.at - e.seconds * 1000)
    if (!attempt.tampering.includes('stale-timestamp')) attempt.tampering.push('stale-timestamp')
  },
  explain: (e) => `sign ${attemptsPhrase(e.attempts)} with a timestamp ${e.seconds} s old`,
})
