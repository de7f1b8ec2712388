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
    /** The first request (already received or still to come) whose body contains `text`. */
    waitForBody: (text: string, timeoutMs = 5_000) =>
      new Promise<Received>((resolve, reject) => {
        const found = received.find((r) => r.body.includes(text))
        if (found) return resolve(found)
        const timer = setTimeout(() => reject(new Error(`no request containing ${text}`)), timeoutMs)
        const check = (r: Received) => {
          if (r.body.includes(text)) {
            clearTimeout(timer)
            resolve(r)
          } else waiters.push(check)
        }
        waiters.push(check)
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return receiver
}
