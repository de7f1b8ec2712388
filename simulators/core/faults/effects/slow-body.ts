import { z } from 'zod'
import { defineEffect } from './effect.ts'

/** Sends the real answer, but trickles its body in chunks: headers arrive, the body takes its time. */
export const slowBody = defineEffect({
  type: 'slow-body',
  schema: z.object({
    type: z.literal('slow-body'),
    chunkBytes: z.number().int().min(1).max(1_000_000).default(16),
    chunkDelayMs: z.number().int().min(1).max(60_000).default(200),
  }),
  terminal: false,
  apply: (e) => ({ kind: 'slow-body', chunkBytes: e.chunkBytes, chunkDelayMs: e.chunkDelayMs }),
  explain: (e) => `send the body ${e.chunkBytes} bytes every ${e.chunkDelayMs}ms`,
})
