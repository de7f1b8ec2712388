import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What an Event Webhook receiver got: raw bytes (signatures are over them) and headers. */
export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A throwaway webhook receiver for tests: answers `status` (default 200) and
 * keeps every request. `next()` resolves with the next request to arrive.
 */
export async function startReceiver(status = 200) {
  const received: Received[] = []
  let waiters: ((r: Received) => void)[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      received.push(entry)
      res.writeHead(receiver.status).end()
      const w = waiters
      waiters = []
      for (const resolve of w) resolve(entry)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const receiver = {
    status,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    received,
    next: () => new Promise<Received>((resolve) => waiters.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return receiver
}
