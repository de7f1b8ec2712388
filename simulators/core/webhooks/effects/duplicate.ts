import { z } from 'zod'
import { defineWebhookEffect } from './effect.ts'

/** The provider sends the same event again (same id) once the delivery has ended: apps must be idempotent. */
export const duplicate = defineWebhookEffect({
  type: 'duplicate',
  schema: z
    .object({ type: z.literal('duplicate'), copies: z.number().int().min(1).max(20).default(1) })
    .strict(),
  onCopies: false,
  start: (e, start) => {
    start.copies += e.copies
  },
  explain: (e) => `send ${e.copies} extra ${e.copies === 1 ? 'copy' : 'copies'} once the delivery has ended`,
})
