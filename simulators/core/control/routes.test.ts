import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../testing.ts'
import { type FetchLike, injectFetch, StandinClient } from './client.ts'
import { loadPresets } from './presets.ts'
import { type RouteId, type RouteSpec, routeIds, routes } from './routes.ts'
import { buildControlApp } from './server.ts'

/**
 * The client against the route table: every route in the table is reached by
 * a client method (this record must name every id, or it does not typecheck),
 * with the table's method and path, and what the hub answers parses with the
 * route's response schema.
 */
let sims: RunningProviders
let app: ReturnType<typeof buildControlApp>
let standin: StandinClient
const sent: { method: string; path: string; status: number; body: string }[] = []

beforeAll(async () => {
  sims = await startProviders([testkit], { timeScale: 0 })
  app = buildControlApp(sims.core, await loadPresets('scenarios/presets'))
  const inner = injectFetch(app)
  const recording: FetchLike = async (url, init) => {
    const response = await inner(url, init)
    const body = await response.text()
    sent.push({ method: init.method, path: new URL(url).pathname, status: response.status, body })
    return { status: response.status, text: async () => body }
  }
  standin = new StandinClient({ url: 'http://control.local', fetch: recording })
})
afterAll(async () => {
  await app.close()
  await sims.close()
})

const aRule = { match: { provider: 'testkit' }, effect: { type: 'status' as const, status: 503 } }
const aDelivery = async (c: StandinClient) => {
  await c.webhooks.endpoints.add({ provider: 'testkit', url: 'http://127.0.0.1:9/hook' })
  await c.webhooks.events.send({ provider: 'testkit', event: 'widget.shipped' })
  return (await c.webhooks.deliveries.list({ provider: 'testkit' }))[0]!.id
}

const calls: { [K in RouteId]: (c: StandinClient) => Promise<unknown> } = {
  health: (c) => c.health(),
  'providers.list': (c) => c.providers(),
  reset: (c) => c.reset({ provider: 'testkit' }),
  'journal.list': (c) => c.journal.list({ provider: 'testkit', limit: 5 }),
  'journal.wait': (c) => c.journal.wait({ provider: 'testkit', afterSeq: -1, timeoutMs: 0 }),
  'journal.clear': (c) => c.journal.clear('testkit'),
  'faults.add': (c) => c.faults.add(aRule),
  'faults.list': (c) => c.faults.list('testkit'),
  'faults.get': async (c) => c.faults.get((await c.faults.add(aRule)).id),
  'faults.remove': async (c) => c.faults.remove((await c.faults.add(aRule)).id),
  'faults.clear': (c) => c.faults.clear(),
  'webhooks.rules.add': (c) =>
    c.webhooks.rules.add({ match: { provider: 'testkit' }, effect: { type: 'duplicate' } }),
  'webhooks.rules.list': (c) => c.webhooks.rules.list(),
  'webhooks.rules.remove': async (c) =>
    c.webhooks.rules.remove(
      (await c.webhooks.rules.add({ match: { provider: 'testkit' }, effect: { type: 'duplicate' } })).id,
    ),
  'webhooks.rules.clear': (c) => c.webhooks.rules.clear('testkit'),
  'webhooks.endpoints.add': (c) =>
    c.webhooks.endpoints.add({ provider: 'testkit', url: 'http://127.0.0.1:9/a' }),
  'webhooks.endpoints.list': (c) => c.webhooks.endpoints.list({ provider: 'testkit' }),
  'webhooks.endpoints.remove': async (c) =>
    c.webhooks.endpoints.remove(
      (await c.webhooks.endpoints.add({ provider: 'testkit', url: 'http://127.0.0.1:9/b' })).id,
    ),
  'webhooks.events.list': (c) => c.webhooks.events.list({ provider: 'testkit', limit: 3 }),
  'webhooks.events.send': (c) => c.webhooks.events.send({ provider: 'testkit', event: 'widget.shipped' }),
  'webhooks.deliveries.list': (c) => c.webhooks.deliveries.list({ provider: 'testkit' }),
  'webhooks.deliveries.wait': async (c) => {
    await aDelivery(c)
    return c.webhooks.deliveries.wait({ provider: 'testkit', timeoutMs: 0 })
  },
  'webhooks.deliveries.get': async (c) => c.webhooks.deliveries.get(await aDelivery(c)),
  'webhooks.deliveries.redeliver': async (c) => c.webhooks.deliveries.redeliver(await aDelivery(c)),
  'messages.list': (c) => c.messages.list({ limit: 2 }),
  'messages.wait': (c) => c.messages.wait({ to: '+821000000000', timeoutMs: 0 }),
  'messages.code': (c) => c.messages.code({ to: '+821000000000', timeoutMs: 0 }),
  'messages.links': (c) => c.messages.links({ to: 'nobody@example.com', timeoutMs: 0 }),
  'messages.clear': (c) => c.messages.clear(),
  'clock.get': (c) => c.clock.get(),
  'clock.advance': (c) => c.clock.advance('1m'),
  'clock.scale': (c) => c.clock.scale(0),
  'clock.set': (c) => c.clock.set('2030-01-01T00:00:00Z'),
  'presets.list': (c) => c.presets.list(),
  'presets.apply': async (c) => c.presets.apply((await c.presets.list())[0]!.name, { provider: 'testkit' }),
}

const pattern = (path: string) => new RegExp(`^/_standin${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`)

describe('the client against the route table', () => {
  it.each(routeIds)(
    '%s: the client calls it with its method and path, and the answer fits its schema',
    async (id) => {
      const spec: RouteSpec = routes[id]
      await calls[id](standin).catch(() => undefined)
      const last = sent.at(-1)!
      expect(`${last.method} ${last.path}`).toMatch(
        new RegExp(`^${spec.method} ${pattern(spec.path).source.slice(1)}`),
      )
      if (last.status < 400) {
        expect(last.status).toBe(spec.status ?? 200)
        const parsed = spec.response.safeParse(JSON.parse(last.body))
        expect(parsed.error?.issues ?? []).toEqual([])
      } else {
        // Only the waits that found nothing may refuse here, and they say so with a timeout.
        expect(id, last.body).toMatch(/wait|code|links/)
        expect(last.status).toBe(408)
      }
    },
  )

  it('names every route once in the OpenAPI document, by its id', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/_standin/openapi.json' })).json() as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((o) => o.operationId),
    )
    expect(ids.sort()).toEqual([...routeIds].sort())
  })
})
