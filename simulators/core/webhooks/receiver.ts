import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedWebhook {
  headers: IncomingMessage['headers']
  /** Path and query the attempt was sent to. */
  path: string
  body: string
  at: number
}

/**
 * A local webhook receiver for tests: records every request and answers with
 * whatever `respond` says (a status per attempt), so a test can fail the first
 * N attempts or stay down for the whole schedule.
 */
export async function startReceiver(
  respond: (n: number, received: ReceivedWebhook) => number = () => 200,
): Promise<{
  url: string
  received: ReceivedWebhook[]
  close(): Promise<void>
}> {
  const received: ReceivedWebhook[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const hook = {
        headers: req.headers,
        path: req.url ?? '/',
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      }
      received.push(hook)
      res.statusCode = respond(received.length, hook)
      res.end(res.statusCode < 300 ? 'ok' : 'nope')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
