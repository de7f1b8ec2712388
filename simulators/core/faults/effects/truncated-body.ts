import { z } from 'zod'
import { bytesOf, defineEffect, pause, writeHead } from './effect.ts'

/**
 * The provider does the work and starts its real answer: status, headers
 * (with the full Content-Length) and a prefix of the body, then the
 * connection closes. A client sees a body that ends early (fetch: "terminated",
 * Node: "aborted"), as when a proxy or the provider dies mid-answer.
 */
export const truncatedBody = defineEffect({
  type: 'truncated-body',
  schema: z.object({
    type: z.literal('truncated-body'),
    bytes: z.number().int().min(0).max(1_000_000).default(8).describe('how many bytes of the body are sent'),
  }),
  terminal: true,
  apply: (e) => ({ kind: 'wire', phase: 'after', params: e.bytes }),
  explain: (e) => `cut the answer after ${e.bytes} bytes of its body`,
  render: {
    journal: 'response',
    fastify: (res, answer, bytes: number) => {
      if (!answer) return void res.socket?.destroy()
      const body = bytesOf(answer)
      writeHead(res, answer, body)
      // Written, then the socket goes once the prefix is flushed: the client reads a body shorter than announced.
      res.write(body.subarray(0, Math.min(bytes, Math.max(0, body.length - 1))), () => res.socket?.destroy())
    },
    msw: (answer, bytes: number) => {
      if (!answer) return Response.error()
      const body = bytesOf(answer)
      const prefix = body.subarray(0, Math.min(bytes, Math.max(0, body.length - 1)))
      let sent = false
      // The prefix is read first; the next read fails, as a socket closed mid-body does. The failure waits a
      // moment: msw reads the stream ahead of the client, and a stream's error drops chunks not yet read.
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) {
            sent = true
            return controller.enqueue(prefix)
          }
          await pause(100)
          controller.error(new TypeError('terminated'))
        },
      })
      return new Response(stream, answer)
    },
  },
})
