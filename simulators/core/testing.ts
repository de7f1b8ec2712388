import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { AnyProvider } from './provider.ts'
import { Core, type CoreOptions, type ProviderRuntime } from './runtime.ts'
import { buildProviderApp } from './transports/fastify.ts'

export interface RunningProviders {
  core: Core
  /** Base URL of a provider, e.g. `http://127.0.0.1:39211`. */
  url(name: string): string
  port(name: string): number
  runtime(name: string): ProviderRuntime
  close(): Promise<void>
}

/**
 * Starts providers on their own ephemeral ports on 127.0.0.1, for tests of
 * standin itself and of apps (the official SDKs need a real port).
 *
 * @example
 * const sims = await startProviders([payments])
 * const client = new PaymentsSdk({ host: '127.0.0.1', port: sims.port('payments'), protocol: 'http' })
 * afterAll(() => sims.close())
 */
export async function startProviders(
  providers: AnyProvider[],
  options: CoreOptions & { core?: Core; host?: string } = {},
): Promise<RunningProviders> {
  const core = options.core ?? new Core(options)
  const host = options.host ?? '127.0.0.1'
  const apps = new Map<string, FastifyInstance>()
  const ports = new Map<string, number>()
  for (const definition of providers) {
    const runtime = core.register(definition, { baseUrl: `http://${host}:0` })
    const app = buildProviderApp(runtime)
    await app.listen({ host, port: 0 })
    const port = (app.server.address() as AddressInfo).port
    runtime.setBaseUrl(`http://${host}:${port}`)
    apps.set(definition.name, app)
    ports.set(definition.name, port)
  }
  const known = (name: string) => {
    if (!ports.has(name))
      throw new Error(`Provider '${name}' was not started; started: ${[...ports.keys()].join(', ')}`)
    return name
  }
  return {
    core,
    url: (name) => core.provider(known(name)).baseUrl,
    port: (name) => ports.get(known(name))!,
    runtime: (name) => core.provider(known(name)),
    close: async () => {
      core.clock.clearTimers()
      await Promise.all([...apps.values()].map((app) => app.close()))
    },
  }
}
