import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
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
let close: () => Promise<void>

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'bypass' })
  const sims = await startProviders([testkit], { seed: 5, timeScale: 0 })
  sims.core.clock.set(FROZEN_AT)
  fastifyBase = sims.url('testkit')
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
})
