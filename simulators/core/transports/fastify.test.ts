import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { Core, type ProviderRuntime } from '../runtime.ts'
import { buildProviderApp } from './fastify.ts'

/** A fresh core, its testkit runtime and app for one test; the app is closed after it. */
async function withFreshApp(
  test: (app: FastifyInstance, core: Core, runtime: ProviderRuntime) => Promise<void>,
): Promise<void> {
  const core = new Core({ seed: 1 })
  const runtime = core.register(testkit, { baseUrl: 'http://127.0.0.1' })
  const app = buildProviderApp(runtime)
  try {
    await test(app, core, runtime)
  } finally {
    await app.close()
  }
}

/** Three echo requests sent in one turn (`a`, `b`, `c`, each also named in the query), answered in that order. */
function echoAtOnce(app: FastifyInstance) {
  return Promise.all(
    ['a', 'b', 'c'].map((name) =>
      app.inject({
        method: 'POST',
        url: `/v1/echo?name=${name}`,
        headers: { authorization: 'Bearer tk_batch', 'content-type': 'application/json' },
        payload: { name },
      }),
    ),
  )
}

describe('the fastify transport', () => {
  it('sends the answers made in one event-loop turn together, at its end, each to its own request', () =>
    withFreshApp(async (app, core) => {
      // What the journal held when each answer went out: the requests handled before it left.
      const handledWhenSent: number[] = []
      app.addHook('onSend', async () => {
        handledWhenSent.push(core.journal.list().length)
      })
      const answers = await echoAtOnce(app)
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200])
      expect(answers.map((answer) => answer.json().name)).toEqual(['a', 'b', 'c'])
      // Written one by one, the first would have left with one request handled.
      expect(handledWhenSent).toEqual([3, 3, 3])
    }))

  it('runs the requests read in one turn through the pipeline together, in the order they came', () =>
    withFreshApp(async (batchedApp, batched) => {
      // What the journal held as each request reached its handler: run at once, the second would find the first.
      const journaledOnArrival: number[] = []
      batchedApp.addHook('preHandler', async () => {
        journaledOnArrival.push(batched.journal.list().length)
      })
      const answers = await echoAtOnce(batchedApp)
      expect(answers.map((answer) => answer.json().name)).toEqual(['a', 'b', 'c'])
      expect(journaledOnArrival).toEqual([0, 0, 0])
      expect(batched.journal.list().map((entry) => entry.query.name)).toEqual(['a', 'b', 'c'])
    }))

  it('runs a method it has no route for in the same batch, in the order it came', () =>
    withFreshApp(async (mixedApp, mixed) => {
      // No bodies: a body is read before its request reaches a handler, which would reorder the three.
      const sent = (method: 'GET' | 'PROPFIND', name: string) =>
        mixedApp.inject({
          method,
          url: `/v1/echo?name=${name}`,
          headers: { authorization: 'Bearer tk_batch' },
        })
      const answers = await Promise.all([sent('GET', 'a'), sent('PROPFIND', 'b'), sent('GET', 'c')])
      expect(answers.every((answer) => answer.statusCode >= 400)).toBe(true)
      expect(mixed.journal.list().map((entry) => `${entry.method} ${entry.query.name}`)).toEqual([
        'GET a',
        'PROPFIND b',
        'GET c',
      ])
    }))

  it('answers a request whose run throws with the provider’s 500, and still runs the rest of its batch', () =>
    withFreshApp(async (throwingApp, throwing, runtime) => {
      const handle = runtime.handle.bind(runtime)
      runtime.handle = (raw) => {
        if (raw.url === '/v1/echo?name=b') throw new Error('runtime threw')
        return handle(raw)
      }
      const answers = await echoAtOnce(throwingApp)
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 500, 200])
      expect(throwing.journal.list().map((entry) => entry.internalError)).toEqual([
        undefined,
        'runtime threw',
        undefined,
      ])
    }))

  it('answers a runtime that fails outright with the provider’s 500, journaled as internal', () =>
    withFreshApp(async (failingApp, failing, runtime) => {
      runtime.handle = () => Promise.reject(new Error('runtime broke'))
      const answer = await failingApp.inject({ method: 'GET', url: '/hello' })
      expect(answer.statusCode).toBe(500)
      expect(answer.json()).toMatchObject({ error: { code: 'server_error' } })
      expect(failing.journal.list().at(-1)?.internalError).toBe('runtime broke')
    }))
})
