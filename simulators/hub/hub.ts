import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { loadPresets } from '../core/control/presets.ts'
import { buildControlApp } from '../core/control/server.ts'
import { HarnessError } from '../core/errors.ts'
import type { AnyProvider } from '../core/provider.ts'
import { Core } from '../core/runtime.ts'
import { buildProviderApp } from '../core/transports/fastify.ts'
import { type HubConfig, type HubConfigInput, resolveConfig } from './config.ts'
import { jsonLogger } from './log.ts'
import { allProviders } from './providers.ts'

export interface Hub {
  core: Core
  config: HubConfig
  /** Control plane base URL, e.g. http://127.0.0.1:4700. */
  url: string
  providerUrls: Record<string, string>
  close(): Promise<void>
}

/**
 * Starts the hub: every selected provider on its own port, and the control
 * plane with the dashboard on the hub port. If any port is taken, whatever
 * already started is closed again and a STANDIN_PORT_IN_USE error says which.
 */
export async function startHub(
  input: HubConfigInput = {},
  providers: AnyProvider[] = allProviders,
): Promise<Hub> {
  const config = resolveConfig(input, providers)
  const log = jsonLogger(config.log)
  const selected = config.providers ? providers.filter((p) => config.providers!.includes(p.name)) : providers
  const core = new Core({
    seed: config.seed,
    journalSize: config.journalSize,
    journal: { maxBytes: config.journalMaxBytes, maxBodyBytes: config.journalMaxBodyBytes },
    timeScale: config.timeScale,
    log,
  })
  const presets = await loadPresets(config.presetsDir)
  const publicHost = config.publicHost ?? config.host
  const limits = { requestTimeoutMs: config.requestTimeoutMs, maxConnections: config.maxConnections }
  const started: FastifyInstance[] = []
  const providerUrls: Record<string, string> = {}

  const listen = async (app: FastifyInstance, port: number, what: string, flag: string) => {
    try {
      await app.listen({ host: config.host, port })
      started.push(app)
      return (app.server.address() as AddressInfo).port
    } catch (error) {
      await Promise.all(started.map((a) => a.close()))
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE')
        throw new HarnessError(
          'STANDIN_PORT_IN_USE',
          `Failed to start ${what}: port ${port} on ${config.host} is in use. Stop what uses it, or pass ${flag} <port>.`,
          { field: flag.replace(/^--/, '') },
        )
      throw error
    }
  }

  for (const definition of selected) {
    const runtime = core.register(definition, { baseUrl: '' })
    const port = await listen(
      buildProviderApp(runtime, limits),
      config.ports[definition.name] ?? definition.defaultPort,
      definition.title ?? definition.name,
      `--${definition.name}-port`,
    )
    runtime.setBaseUrl(`http://${publicHost}:${port}`)
    providerUrls[definition.name] = runtime.baseUrl
  }
  for (const target of config.webhooks) {
    if (core.providers.has(target.provider)) core.webhooks.addEndpoint({ ...target, source: 'config' })
  }
  const controlPort = await listen(
    buildControlApp(core, presets, limits, { token: config.controlToken, cors: config.cors }),
    config.port,
    'the control plane',
    '--port',
  )
  const url = `http://${publicHost}:${controlPort}`
  log.info('standin hub listening', {
    controlPlane: `${url}/_standin`,
    dashboard: url,
    providers: providerUrls,
  })

  return {
    core,
    config,
    url,
    providerUrls,
    close: async () => {
      core.clock.clearTimers()
      await Promise.all(started.map((app) => app.close()))
    },
  }
}
