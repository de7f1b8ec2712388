import { Core } from '../../simulators/core/runtime.ts'
import { buildProviderApp } from '../../simulators/core/transports/fastify.ts'
import { freePorts } from '../../simulators/hub/hub-process.ts'
import { allProviders } from '../../simulators/hub/providers.ts'
import { type Endpoint, raiseLimits } from './endpoints.ts'
import { withKey } from './load.ts'

/**
 * Every provider on one core in this process, driven without sockets: a
 * benched endpoint's request handed to its runtime as the transport would.
 * What `bench:pipeline` times and `bench:retained` counts.
 */
export async function inProcessCore(journalSize?: number) {
  const [port] = (await freePorts(1)) as [number]
  const baseUrl = `http://127.0.0.1:${port}`
  const core = new Core(journalSize === undefined ? { seed: 1 } : { seed: 1, journalSize })
  const runtimes = new Map(allProviders.map((p) => [p.name, core.register(p as never, { baseUrl })]))
  await raiseLimits(core as never)

  /** Single-use bodies made over HTTP against the same runtime, as the hub bench makes them. */
  async function prepared(endpoint: Endpoint, count: number): Promise<string[]> {
    const app = buildProviderApp(runtimes.get(endpoint.provider)!)
    await app.listen({ host: '127.0.0.1', port })
    try {
      return await endpoint.prepare!(baseUrl, count)
    } finally {
      await app.close()
    }
  }

  /**
   * A function sending the endpoint's request once and checking its status. An endpoint whose
   * requests are single-use gets `count` bodies made first (untimed): calling it more often throws.
   */
  async function driver(endpoint: Endpoint, count: number): Promise<() => Promise<void>> {
    const runtime = runtimes.get(endpoint.provider)!
    const bodies = endpoint.prepare ? await prepared(endpoint, count) : undefined
    let next = 0
    return async () => {
      if (bodies && next >= bodies.length) throw new Error(`${endpoint.name}: only ${count} bodies prepared`)
      const outcome = await runtime.handle({
        method: endpoint.method,
        url: endpoint.path,
        headers: withKey(endpoint, asNodeReadsThem(endpoint.headers)),
        body: Buffer.from(bodies ? bodies[next++]! : endpoint.body),
      })
      if (outcome.kind !== 'response' || outcome.status !== endpoint.status)
        throw new Error(`${endpoint.name}: ${JSON.stringify(outcome)}`)
    }
  }

  return { driver }
}

/**
 * A request's headers as node's parser makes them, a name at a time onto a fresh object: all requests'
 * headers then share one shape. A spread (`{ ...headers, host }`) gave each its own, and the journal kept
 * them: five shape objects per request more than the hub keeps.
 */
function asNodeReadsThem(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { host: '127.0.0.1' }
  for (const name in headers) out[name] = headers[name]!
  return out
}
