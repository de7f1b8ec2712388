import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Helpers for this folder's tests: raw HTTP calls as any client would send them, and a callback receiver. */

export const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

export interface Reply {
  status: number
  headers: Headers
  body: Record<string, unknown> & { code?: number; message?: string; status?: number }
}

/** A raw Twilio call: `form` is sent form-encoded (repeat a key with an array); `raw` sends bytes as given. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: {
    auth?: string
    form?: Record<string, string | string[]>
    raw?: string | Buffer
    contentType?: string
    host?: string
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {}
  if (options.auth) headers.authorization = options.auth
  if (options.host) headers.host = options.host
  let body: string | Buffer | undefined
  if (options.form) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(options.form))
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one)
    body = params.toString()
    headers['content-type'] = 'application/x-www-form-urlencoded'
  }
  if (options.raw !== undefined) body = options.raw
  if (options.contentType) headers['content-type'] = options.contentType
  // node:http rather than fetch: fetch does not let a caller set the Host header.
  const response = await new Promise<{ status: number; headers: Headers; text: string }>(
    (resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const out = new Headers()
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out.set(k, v)
          resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    },
  )
  const text = response.text
  let parsed: Reply['body'] = {}
  try {
    parsed = text ? JSON.parse(text) : {}
  } catch {
    parsed = { text } as Reply['body']
  }
  return { status: response.status, headers: response.headers, body: parsed }
}

export interface Received {
  url: string
  headers: IncomingMessage['headers']
  params: Record<string, string>
  raw: string
}

/** A local HTTP server standing in for the app's StatusCallback endpoint. */
export async function startReceiver(answer: (n: number) => number = () => 200) {
  const received: Received[] = []
  let n = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        params: Object.fromEntries(new URLSearchParams(raw)),
        raw,
      })
      res.statusCode = answer(++n)
      res.end('')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Lets pending immediate work (webhook sends, their answers) run. */
export async function settle(until: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = performance.now()
  while (!until()) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out waiting for a condition')
    await new Promise((r) => setTimeout(r, 10))
  }
}
