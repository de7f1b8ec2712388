import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../testing.ts'
import { standinHandlers } from './msw.ts'

/**
 * Regression for issue 10 #6: a failure of standin itself outside a handler is
 * the provider's own 5xx, journaled as internal, on both transports; never an
 * "invalid body" blaming the client, never the framework's own error page.
 */
const MSW_BASE = 'http://testkit-internal.standin.local'
const { handlers, core: mswCore } = standinHandlers({ providers: [testkit], baseUrls: { testkit: MSW_BASE } })
const server = setupServer(...handlers)
let sims: RunningProviders

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'bypass' })
  sims = await startProviders([testkit])
})
afterAll(async () => {
  server.close()
  await sims.close()
})

describe.each([
  ['fastify', () => sims.url('testkit'), () => sims.core],
  ['msw', () => MSW_BASE, () => mswCore],
])('%s transport', (_name, base, core) => {
  it('answers an internal failure with the provider’s 500 and journals it as internal', async () => {
    const faults = core().faults
    const evaluate = faults.evaluate.bind(faults)
    faults.evaluate = () => {
      throw new Error('engine broke')
    }
    let res: Response
    try {
      res = await fetch(`${base()}/hello`)
    } finally {
      faults.evaluate = evaluate
    }
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ error: { code: 'server_error' } })
    expect(core().journal.list().at(-1)?.internalError).toBe('engine broke')
    expect((await fetch(`${base()}/hello`)).status).toBe(200)
  })
})
