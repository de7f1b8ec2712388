import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A local webhook receiver for tests: records every POST and answers with the status the test decides. */
export interface Hit {
  headers: IncomingHttpHeaders
  raw: string
  // biome-ignore lint/suspicious/noExplicitAny: webhook bodies are read freely in tests
  body: any
}

export interface Receiver {
  url: string
  hits: Hit[]
  /** Resolves once `count` hits have arrived (real time, bounded). */
  waitFor(count: number, timeoutMs?: number): Promise<Hit[]>
  close(): Promise<void>
}

export async function startReceiver(status: (n: number) => number = () => 200): Promise<Receiver> {
  const hits: Hit[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown = raw
      try {
        body = JSON.parse(raw)
      } catch {
        // Keep the text: a test may be checking a malformed body.
      }
      hits.push({ headers: req.headers, raw, body })
      res.writeHead(status(hits.length), { 'content-type': 'text/plain' })
      res.end('ok')
      for (const w of waiters.filter((w) => hits.length >= w.count)) w.resolve()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/webhooks/toss`,
    hits,
    waitFor: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        if (hits.length >= count) return resolve(hits)
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${hits.length} of ${count} webhooks`)),
          timeoutMs,
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve(hits)
          },
        })
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
