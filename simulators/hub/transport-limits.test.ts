import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Hub, startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/**
 * Regression tests for issue 10 #5 (slow clients hold sockets forever, no
 * connection cap) and #6 (answers not in the provider's shape): raw sockets
 * against an in-process hub with a short request timeout and a small cap.
 */
let hub: Hub
const SK = 'sk_test_transport'
// biome-ignore lint/suspicious/noExplicitAny: error bodies are read field by field
type Json = any
const MAX_CONNECTIONS = 16

beforeAll(async () => {
  hub = await startHub({
    port: 0,
    ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])),
    log: 'silent',
    requestTimeoutMs: 400,
    maxConnections: MAX_CONNECTIONS,
  })
})
afterAll(async () => {
  await hub?.close()
})

const portOf = (url: string) => Number(new URL(url).port)

/** Opens a socket, writes `data`, and resolves with everything read once the server closes it. */
function exchange(port: number, data: string | Buffer, options: { end?: boolean } = {}) {
  return new Promise<{ text: string; socket: Socket }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', () => {})
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), socket }))
    socket.on('connect', () => {
      if (data.length > 0) socket.write(data)
      if (options.end) socket.end()
    })
    socket.setTimeout(20_000, () => reject(new Error('the server never closed the socket')))
  })
}

function parse(raw: string): { status: number; headers: string; body: Json } {
  const [head, ...rest] = raw.split('\r\n\r\n')
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1] ?? 0)
  const text = rest.join('\r\n\r\n')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status, headers: head ?? '', body }
}

/** Stripe's error envelope, never fastify's `{ statusCode, error, message }`. */
function expectStripeError(body: Json) {
  expect(body).toHaveProperty('error')
  expect(typeof body.error.type).toBe('string')
  expect(typeof body.error.message).toBe('string')
  expect(body).not.toHaveProperty('statusCode')
}

async function stillServes() {
  const res = await fetch(`${hub.providerUrls.stripe}/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=ok%40example.com',
  })
  expect(res.status).toBe(200)
  expect((await fetch(`${hub.url}/_standin/health`)).status).toBe(200)
}

describe('issue 10 #5: slow clients cannot hold the hub', () => {
  it('a request whose body stalls after its headers is answered 408 and closed', async () => {
    const port = portOf(hub.providerUrls.stripe!)
    const { text } = await exchange(
      port,
      `POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SK}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a`,
    )
    const res = parse(text)
    expect(res.status).toBe(408)
    expectStripeError(res.body)
    await stillServes()
  })

  it('a connection that never sends a request is closed', async () => {
    const { text } = await exchange(portOf(hub.providerUrls.twilio!), '')
    expect([0, 408]).toContain(parse(text).status)
    const control = await exchange(portOf(hub.url), 'GET /_standin/health HTTP/1.1\r\nHost: x\r\n')
    expect(parse(control.text).status).toBe(408)
    expect(parse(control.text).body.error.code).toBe('STANDIN_BAD_REQUEST')
  })

  it('connections beyond the cap are refused at once, and the port serves again when they go', async () => {
    const port = portOf(hub.providerUrls.stripe!)
    const sockets: Socket[] = []
    const closedEarly: Promise<void>[] = []
    for (let i = 0; i < MAX_CONNECTIONS + 6; i++) {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      sockets.push(socket)
      closedEarly.push(new Promise((resolve) => socket.once('close', () => resolve())))
    }
    // The extra ones are closed by the server without waiting for any timeout.
    const firstClosed = await Promise.race(closedEarly.map((p, i) => p.then(() => i)))
    expect(firstClosed).toBeGreaterThanOrEqual(0)
    for (const socket of sockets) socket.destroy()
    await Promise.all(closedEarly)
    await stillServes()
  })
})

describe('issue 10 #6: every answer of a provider port is in its own shape', () => {
  it('headers too large: 431 in Stripe’s error envelope', async () => {
    const { text } = await exchange(
      portOf(hub.providerUrls.stripe!),
      `GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    )
    const res = parse(text)
    expect(res.status).toBe(431)
    expectStripeError(res.body)
  })

  it('a malformed request line: 400 in Stripe’s error envelope', async () => {
    const { text } = await exchange(portOf(hub.providerUrls.stripe!), 'THIS IS NOT HTTP\r\n\r\n')
    const res = parse(text)
    expect(res.status).toBe(400)
    expectStripeError(res.body)
    await stillServes()
  })

  it.each(['PROPFIND', 'MOVE', 'TRACE', 'COPY', 'LOCK'])(
    '%s is answered by the provider’s router, not fastify’s 404',
    async (method) => {
      const { text } = await exchange(
        portOf(hub.providerUrls.stripe!),
        `${method} /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SK}\r\nConnection: close\r\n\r\n`,
      )
      const res = parse(text)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expectStripeError(res.body)
    },
  )

  it('a very long path segment is answered by the provider’s router', async () => {
    const res = await fetch(`${hub.providerUrls.stripe}/v1/customers/cus_${'x'.repeat(5000)}`, {
      headers: { authorization: `Bearer ${SK}` },
    })
    expect(res.status).toBe(404)
    expectStripeError(await res.json())
  })

  it('the control plane answers bad URLs and long params in its own error shape', async () => {
    for (const path of ['/_standin/faults/%ZZ', `/_standin/faults/${'f'.repeat(3000)}`]) {
      const res = await fetch(`${hub.url}${path}`)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      const body = (await res.json()) as Json
      expect(body.error.code).toMatch(/^STANDIN_/)
      expect(body).not.toHaveProperty('statusCode')
    }
  })

  it('a failure inside standin outside a handler is the provider’s 5xx, journaled as internal', async () => {
    const faults = hub.core.faults
    const evaluate = faults.evaluate.bind(faults)
    faults.evaluate = () => {
      throw new Error('fault engine broke')
    }
    let res: Response
    try {
      res = await fetch(`${hub.providerUrls.stripe}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=internal%40example.com',
      })
    } finally {
      faults.evaluate = evaluate
    }
    expect(res.status).toBeGreaterThanOrEqual(500)
    const body = (await res.json()) as Json
    expectStripeError(body)
    expect(body.error.type).toBe('api_error')
    const entry = hub.core.journal.list({ provider: 'stripe' }).at(-1)!
    expect(entry.internalError).toMatch(/fault engine broke/)
    await stillServes()
  })
})
