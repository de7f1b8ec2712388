import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { connectionSettings, DEFAULTS, retryClass } from './connection-overrides.ts'
import { twilio } from './index.ts'
import { MESSAGE_TIMING } from './lifecycle.ts'
import { basic, call } from './test-support.ts'

/**
 * Status-callback retries as Twilio's "Webhooks (HTTP callbacks): Connection
 * Overrides" page documents them: one retry by default, for the failure
 * classes `rp` names, `rc` retries at most, `ct`/`rt` timeouts, `tt` in all.
 */
const SID = `AC${'7'.repeat(32)}`
const TOKEN = 'retry-token'
const AUTH = basic(SID, TOKEN)
let sims: RunningProviders
let base: string

/** A receiver that answers `status(n)` after `delayMs(n)`; counts requests per path. */
let status: (n: number) => number = () => 200
let delayMs: (n: number) => number = () => 0
const hits = new Map<string, number>()
let server: Server
let receiverUrl: string

beforeAll(async () => {
  sims = await startProviders([twilio], { timeScale: 0 })
  base = sims.url('twilio')
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!
      const n = (hits.get(path) ?? 0) + 1
      hits.set(path, n)
      const answer = () => {
        res.statusCode = status(n)
        res.end('')
      }
      const wait = delayMs(n)
      if (wait > 0) setTimeout(answer, wait)
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await sims.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
afterEach(() => {
  status = () => 200
  delayMs = () => 0
})

let seq = 0
/** Sends a message whose `sending` callback goes to `path` + `fragment`; resolves with its delivery once it ends `expect`ed. */
async function callbackTo(
  path: string,
  fragment = '',
  to = receiverUrl,
  expected: 'delivered' | 'failed' = 'failed',
) {
  seq += 1
  const unique = `${path}-${seq}`
  const sent = await call(base, 'POST', `/2010-04-01/Accounts/${SID}/Messages.json`, {
    auth: AUTH,
    form: {
      From: '+15005550006',
      To: '+14155552671',
      Body: 'hi',
      StatusCallback: `${to}${unique}${fragment}`,
    },
  })
  sims.core.clock.advance(MESSAGE_TIMING.sending)
  const delivery = await sims.core.webhooks.waitFor(
    {
      provider: 'twilio',
      eventType: 'message.sending',
      payloadContains: String(sent.body.sid),
      status: expected,
    },
    10_000,
  )
  if (!delivery) throw new Error(`the callback to ${unique} did not end ${expected}`)
  return { delivery, hits: () => hits.get(unique) ?? 0 }
}

async function closedPort(): Promise<string> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

describe('connection override parsing', () => {
  it('reads ct, rt, tt, rc, rp from the fragment, clamps numbers to the documented ranges, ignores unknown rp values', () => {
    expect(connectionSettings('https://a.example/s')).toBe(DEFAULTS)
    expect(DEFAULTS).toMatchObject({ ct: 5_000, rt: 15_000, tt: 15_000, rc: 1 })
    const s = connectionSettings(
      'https://a.example/s?x=1#ct=2000&rt=99999&tt=50&rc=9&rp=4xx,5xx,bogus&e=ashburn&sni=y',
    )
    expect(s).toMatchObject({ ct: 2_000, rt: 15_000, tt: 100, rc: 5 })
    expect([...s.rp]).toEqual(['4xx', '5xx'])
    expect([...connectionSettings('https://a.example/s#rp=bogus').rp]).toEqual(['ct'])
    expect(retryClass('http', 302)).toBeUndefined()
    expect(retryClass('reset', undefined)).toBe('rt')
  })
})

describe('status callback retries', () => {
  it('default: a refused connection is retried once, at once', async () => {
    const down = await closedPort()
    const { delivery } = await callbackTo('/down', '', down)
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts).toHaveLength(2)
    expect(delivery.attempts.every((a) => a.error?.startsWith('ECONNREFUSED'))).toBe(true)
  })

  it('default: a 500 is not retried (rp defaults to connection failures)', async () => {
    status = () => 500
    const { delivery, hits } = await callbackTo('/five')
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts.map((a) => a.status)).toEqual([500])
    expect(hits()).toBe(1)
  })

  it('#rc=3&rp=5xx: a receiver failing with 503 gets three retries, then the callback is lost', async () => {
    status = () => 503
    const { delivery, hits } = await callbackTo('/rc3', '#rc=3&rp=5xx')
    expect(delivery.attempts.map((a) => a.status)).toEqual([503, 503, 503, 503])
    expect(hits()).toBe(4)
  })

  it('#rc=2&rp=all: a 404 then a 200 is delivered on the retry', async () => {
    status = (n) => (n === 1 ? 404 : 200)
    const { delivery } = await callbackTo('/all', '#rc=2&rp=all', receiverUrl, 'delivered')
    expect(delivery.status).toBe('delivered')
    expect(delivery.attempts.map((a) => a.status)).toEqual([404, 200])
  })

  it('#rp=4xx does not retry a 5xx; #rc=0 does not retry even a refused connection', async () => {
    status = () => 500
    expect((await callbackTo('/only4', '#rc=2&rp=4xx')).delivery.attempts).toHaveLength(1)
    const down = await closedPort()
    expect((await callbackTo('/rc0', '#rc=0', down)).delivery.attempts).toHaveLength(1)
  })

  it('#rt=200: a receiver slower than the read timeout fails the attempt; rp=rt retries it', async () => {
    delayMs = () => 600
    const plain = await callbackTo('/slow', '#rt=200')
    expect(plain.delivery.attempts).toHaveLength(1)
    expect(plain.delivery.attempts[0]!.error).toMatch(/^timeout/)
    expect(plain.delivery.attempts[0]!.durationMs).toBeLessThan(600)
    delayMs = (n) => (n === 1 ? 600 : 0)
    const retried = await callbackTo('/slow-rt', '#rt=200&rp=rt&rc=2', receiverUrl, 'delivered')
    expect(retried.delivery.status).toBe('delivered')
    expect(retried.delivery.attempts).toHaveLength(2)
  })

  it('#tt bounds all attempts together: retries stop once the total time is used up', async () => {
    delayMs = () => 1_000
    const { delivery } = await callbackTo('/total', '#rt=250&rp=rt&rc=5&tt=600')
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts.length).toBeGreaterThanOrEqual(2)
    expect(delivery.attempts.length).toBeLessThan(6)
    const used = delivery.attempts.reduce((sum, a) => sum + a.durationMs, 0)
    expect(used).toBeLessThan(600 + 250)
  })
})
