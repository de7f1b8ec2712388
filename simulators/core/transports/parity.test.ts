import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import type { Core } from '../runtime.ts'
import { startProviders } from '../testing.ts'
import { standinHandlers } from './msw.ts'

/**
 * The same requests through the fastify transport (a real port) and the msw
 * transport (no port) must get the same answers: status, provider headers and
 * body, ids included (both cores start from the same seed).
 */
const MSW_BASE = 'http://testkit.standin.local'
// Both cores: same seed, and a frozen clock at the same instant, so ids and timestamps agree.
const FROZEN_AT = Date.UTC(2026, 0, 1)
const { handlers, core: mswCore } = standinHandlers({
  providers: [testkit],
  baseUrls: { testkit: MSW_BASE },
  coreOptions: { seed: 5, timeScale: 0 },
})
mswCore.clock.set(FROZEN_AT)
const server = setupServer(...handlers)
let fastifyBase: string
let fastifyCore: Core
let close: () => Promise<void>

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'bypass' })
  const sims = await startProviders([testkit], { seed: 5, timeScale: 0 })
  sims.core.clock.set(FROZEN_AT)
  fastifyBase = sims.url('testkit')
  fastifyCore = sims.core
  close = sims.close
})
afterAll(async () => {
  server.close()
  await close()
})

const script: [string, RequestInit][] = [
  [
    '/v1/widgets',
    {
      method: 'POST',
      headers: { authorization: 'Bearer tk_p', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=a&metadata[k]=v',
    },
  ],
  [
    '/v1/widgets',
    {
      method: 'POST',
      headers: { authorization: 'Bearer tk_p', 'content-type': 'application/json' },
      body: '{"name":"b","size":2}',
    },
  ],
  ['/v1/widgets?limit=1', { headers: { authorization: 'Bearer tk_p' } }],
  [
    '/v1/widgets',
    {
      method: 'POST',
      headers: { authorization: 'Bearer tk_p', 'content-type': 'application/json' },
      body: '{"name":',
    },
  ],
  [
    '/v1/widgets',
    {
      method: 'POST',
      headers: { authorization: 'Bearer tk_p', 'content-type': 'application/json' },
      body: '{"nom":"x"}',
    },
  ],
  ['/v1/widgets/wid_nope', { headers: { authorization: 'Bearer tk_p' } }],
  ['/v1/widgets', { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: 'name=x' }],
  ['/not/a/route', {}],
  ['/v1/widgets', { method: 'PUT', headers: { authorization: 'Bearer tk_p' } }],
]

describe('msw and fastify transports', () => {
  it('answer every request of the script the same way', async () => {
    for (const [path, init] of script) {
      const [viaFastify, viaMsw] = await Promise.all([
        fetch(fastifyBase + path, init),
        fetch(MSW_BASE + path, init),
      ])
      const view = async (r: Response) => ({
        status: r.status,
        requestId: r.headers.get('request-id'),
        type: r.headers.get('content-type'),
        body: await r.json(),
      })
      expect(await view(viaMsw), `${init.method ?? 'GET'} ${path}`).toEqual(await view(viaFastify))
    }
  })

  /** What a client can observe of one request: the status and body it read, or how the connection failed. */
  async function observe(url: string, init: RequestInit): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(400) })
    } catch (error) {
      return { failed: (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection' }
    }
    const received: number[] = []
    try {
      const reader = response.body!.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        received.push(...value)
      }
    } catch {
      return { status: response.status, body: Buffer.from(received).toString(), cut: true }
    }
    return { status: response.status, body: Buffer.from(received).toString() }
  }

  // Each effect with what a client sees of it, so the test fails if neither transport carries it out.
  const connectionEffects: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ type: 'connection-reset' }, { failed: 'connection' }],
    [{ type: 'connection-reset', phase: 'after' }, { failed: 'connection' }],
    [{ type: 'hang', ms: 2000 }, { failed: 'timeout' }],
    [
      { type: 'truncated-body', bytes: 6 },
      { status: 200, body: '{"id":', cut: true },
    ],
    [
      { type: 'slow-body', chunkBytes: 8, chunkDelayMs: 5 },
      { status: 200, body: expect.stringContaining('"conn"') },
    ],
  ]

  it.each(connectionEffects)(
    'carry out the connection-level effect %o the same way',
    async (effect, seen) => {
      const rule = { match: { provider: 'testkit', operation: 'widgets.create' }, effect, times: 1 }
      const ids = [fastifyCore.faults.add(rule).id, mswCore.faults.add(rule).id]
      try {
        const init = {
          method: 'POST',
          headers: { authorization: 'Bearer tk_p', 'content-type': 'application/json' },
          body: '{"name":"conn"}',
        }
        const [viaFastify, viaMsw] = await Promise.all([
          observe(`${fastifyBase}/v1/widgets`, init),
          observe(`${MSW_BASE}/v1/widgets`, init),
        ])
        expect(viaMsw).toEqual(viaFastify)
        expect(viaFastify).toEqual(seen)
        const last = (core: Core) => core.journal.list({ provider: 'testkit' }).at(-1)
        expect(last(fastifyCore)).toMatchObject({ fault: { effect: effect.type } })
        expect(last(mswCore)).toMatchObject({
          outcome: last(fastifyCore)!.outcome,
          status: last(fastifyCore)!.status,
          fault: { effect: effect.type },
        })
      } finally {
        fastifyCore.faults.remove(ids[0]!)
        mswCore.faults.remove(ids[1]!)
      }
    },
  )
})
