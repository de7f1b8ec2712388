import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a receiver got: raw body bytes as text, so signatures can be checked over exactly them. */
export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A local HTTP receiver for tests: the app's webhook endpoint and checkout
 * callback URL. Answers 200 unless `status` says otherwise for a path.
 *
 * @example
 * const rx = await startReceiver()
 * core.webhooks.addEndpoint({ provider: 'razorpay', account: keyId, url: `${rx.url}/hooks`, secret, source: 'config' })
 */
export async function startReceiver(options: { status?: (path: string, nth: number) => number } = {}) {
  const received: Received[] = []
  const waiters: { test: (r: Received[]) => boolean; resolve: () => void }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? '/'
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const nth = received.filter((r) => r.path === path).length
      res.statusCode = options.status?.(path, nth) ?? 200
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><title>received</title><h1>Received ${res.statusCode}</h1>`)
      for (const w of [...waiters]) {
        if (!w.test(received)) continue
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    received,
    /** Resolves once `test` holds for what was received; rejects after `ms`. */
    until(test: (r: Received[]) => boolean, ms = 5_000): Promise<Received[]> {
      if (test(received)) return Promise.resolve(received)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver: condition not met in ${ms}ms; got ${received.length} requests`)),
          ms,
        )
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer)
            resolve(received)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
