import { z } from 'zod'
import { attemptsPhrase, defineWebhookEffect } from './effect.ts'

/** Loses the first attempts in transit: never sent, they count as failed and the provider's retry schedule runs. */
export const drop = defineWebhookEffect({
  type: 'drop',
  schema: z
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
  onCopies: false,
  attempt: (e, attempt) => {
    // A manual redelivery is someone pressing "resend": it is never lost.
    if (attempt.n > e.attempts || attempt.trigger === 'manual' || attempt.drop) return
    attempt.drop = true
    attempt.tampering.push('drop')
  },
  explain: (e) => `lose ${attemptsPhrase(e.attempts)} in transit (they count as failed)`,
})
