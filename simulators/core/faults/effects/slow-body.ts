import { z } from 'zod'
import { bodiless, bytesOf, defineEffect, writeHead } from './effect.ts'

interface Trickle {
  chunkBytes: number
  chunkDelayMs: number
}

/** Sends the real answer, but trickles its body in chunks: headers arrive, the body takes its time. */
export const slowBody = defineEffect({
  type: 'slow-body',
  schema: z.object({
    type: z.literal('slow-body'),
    chunkBytes: z.number().int().min(1).max(1_000_000).default(16),
    chunkDelayMs: z.number().int().min(1).max(60_000).default(200),
  }),
  terminal: false,
  apply: (e) => ({
    kind: 'wire',
    phase: 'after',
    params: { chunkBytes: e.chunkBytes, chunkDelayMs: e.chunkDelayMs } satisfies Trickle,
  }),
  explain: (e) => `send the body ${e.chunkBytes} bytes every ${e.chunkDelayMs}ms`,
  render: {
    journal: 'response',
    fastify: (res, answer, { chunkBytes, chunkDelayMs }: Trickle) => {
      if (!answer) return void res.socket?.destroy()
      const bytes = bytesOf(answer)
      // Each chunk leaves when written, not when the client's delayed ACK lets Nagle's algorithm send it.
      res.socket?.setNoDelay(true)
      writeHead(res, answer, bytes)
      // The first chunk goes at once so headers and the start of the body arrive; the rest trickle.
      let offset = 0
      const next = () => {
        if (res.destroyed) return
        res.write(bytes.subarray(offset, offset + chunkBytes))
        offset += chunkBytes
        if (offset >= bytes.length) res.end()
        else setTimeout(next, chunkDelayMs).unref()
      }
      next()
    },
    msw: (answer, { chunkBytes, chunkDelayMs }: Trickle) => {
      if (!answer) return Response.error()
      if (bodiless(answer.status)) return new Response(null, answer)
      const bytes = bytesOf(answer)
      let offset = 0
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (offset > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs))
          if (offset >= bytes.length) return controller.close()
          controller.enqueue(bytes.subarray(offset, offset + chunkBytes))
          offset += chunkBytes
        },
      })
      return new Response(stream, answer)
    },
  },
})
