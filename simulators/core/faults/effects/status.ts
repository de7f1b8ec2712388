import { z } from 'zod'
import { defineEffect } from './effect.ts'

/** Answers with a raw status, body and headers of the rule's choosing. */
export const status = defineEffect({
  type: 'status',
  schema: z.object({
    type: z.literal('status'),
    status: z.number().int().min(100).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  terminal: true,
  apply: (effect) => ({
    kind: 'respond',
    response: {
      status: effect.status,
      body: effect.body,
      ...(effect.headers ? { headers: effect.headers } : {}),
    },
  }),
  explain: (effect) => `respond HTTP ${effect.status}`,
})
