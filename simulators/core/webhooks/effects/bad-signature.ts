import { z } from 'zod'
import { attemptsPhrase, defineWebhookEffect } from './effect.ts'

/** Signs other bytes than those sent: whatever the scheme (HMAC, ECDSA, URL+params), the signature does not verify. */
export const badSignature = defineWebhookEffect({
  type: 'bad-signature',
  schema: z
    .object({ type: z.literal('bad-signature'), attempts: z.number().int().min(1).optional() })
    .strict(),
  onCopies: true,
  attempt: (e, attempt) => {
    if (e.attempts !== undefined && attempt.n > e.attempts) return
    attempt.signOtherBytes = true
    if (!attempt.tampering.includes('bad-signature')) attempt.tampering.push('bad-signature')
  },
  explain: (e) => `send ${attemptsPhrase(e.attempts)} with a signature that does not verify`,
})
