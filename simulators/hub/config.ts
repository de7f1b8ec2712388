import { z } from 'zod'
import { isLoopback } from '../core/control/auth.ts'
import { HarnessError } from '../core/errors.ts'
import type { AnyProvider } from '../core/provider.ts'

/**
 * The hub's configuration, read once: environment first, CLI flags over it,
 * one zod schema for both. Nothing below the hub reads process.env.
 *
 * | env | flag | default |
 * | --- | --- | --- |
 * | STANDIN_HOST | --host | 127.0.0.1 |
 * | STANDIN_PORT | --port | 4700 (control plane + dashboard) |
 * | STANDIN_<PROVIDER>_PORT | --<provider>-port | the provider's default (4701-4706) |
 * | STANDIN_PUBLIC_HOST | --public-host | the host (what browsers use in hosted page URLs) |
 * | STANDIN_PROVIDERS | --providers | all, comma-separated |
 * | STANDIN_SEED | --seed | 1 |
 * | STANDIN_TIME_SCALE | --time-scale | 1 |
 * | STANDIN_JOURNAL_SIZE | --journal-size | 10000 |
 * | STANDIN_PRESETS_DIR | --presets-dir | scenarios/presets |
 * | STANDIN_WEBHOOKS | --webhook (repeatable) | none: `provider=url[#secret]`, comma-separated in env |
 * | STANDIN_LOG | --log | info (silent, info, debug) |
 * | STANDIN_JOURNAL_MAX_BYTES | --journal-max-bytes | 67108864 (64 MiB, all entries) |
 * | STANDIN_JOURNAL_MAX_BODY_BYTES | --journal-max-body-bytes | 65536 (larger bodies stored truncated) |
 * | STANDIN_REQUEST_TIMEOUT_MS | --request-timeout-ms | 30000 (a whole request must arrive within it) |
 * | STANDIN_MAX_CONNECTIONS | --max-connections | 2048 (open connections per port) |
 * | STANDIN_CONTROL_TOKEN | --control-token | none; required when the host is not loopback |
 * | STANDIN_CORS | --cors | none (no Access-Control-Allow-Origin): the one origin allowed |
 */
const Port = z.coerce.number().int().min(0).max(65_535)

export const WebhookTarget = z.object({
  provider: z.string().min(1),
  url: z.url(),
  secret: z.string().min(1).optional(),
  account: z.string().default('*'),
})

export const HubConfig = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  publicHost: z.string().min(1).optional(),
  port: Port.default(4700),
  ports: z.record(z.string(), Port).default({}),
  providers: z.array(z.string().min(1)).optional(),
  seed: z.coerce.number().int().default(1),
  timeScale: z.coerce.number().min(0).default(1),
  journalSize: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  journalMaxBytes: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(2 ** 40)
    .default(64 * 1024 * 1024),
  journalMaxBodyBytes: z.coerce
    .number()
    .int()
    .min(256)
    .max(64 * 1024 * 1024)
    .default(64 * 1024),
  requestTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  maxConnections: z.coerce.number().int().min(1).max(1_000_000).default(2048),
  presetsDir: z.string().default('scenarios/presets'),
  webhooks: z.array(WebhookTarget).default([]),
  log: z.enum(['silent', 'info', 'debug']).default('info'),
  controlToken: z.string().min(1).optional(),
  cors: z.url().optional(),
})
export type HubConfig = z.infer<typeof HubConfig>
export type HubConfigInput = z.input<typeof HubConfig>

/** `stripe=http://127.0.0.1:4800/webhooks/stripe#whsec_x` → a webhook target. */
export function parseWebhookSpec(spec: string): z.input<typeof WebhookTarget> {
  const eq = spec.indexOf('=')
  if (eq <= 0)
    throw new HarnessError('STANDIN_BAD_CONFIG', `Bad webhook '${spec}': expected provider=url[#secret].`, {
      field: 'webhooks',
    })
  const provider = spec.slice(0, eq)
  const rest = spec.slice(eq + 1)
  const hash = rest.indexOf('#')
  return hash < 0
    ? { provider, url: rest }
    : { provider, url: rest.slice(0, hash), secret: rest.slice(hash + 1) }
}

/** Reads STANDIN_* variables into a partial config. */
export function configFromEnv(env: NodeJS.ProcessEnv, providers: AnyProvider[]): HubConfigInput {
  const out: Record<string, unknown> = {}
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') out[key] = value
  }
  set('host', env.STANDIN_HOST)
  set('publicHost', env.STANDIN_PUBLIC_HOST)
  set('port', env.STANDIN_PORT)
  set('seed', env.STANDIN_SEED)
  set('timeScale', env.STANDIN_TIME_SCALE)
  set('journalSize', env.STANDIN_JOURNAL_SIZE)
  set('journalMaxBytes', env.STANDIN_JOURNAL_MAX_BYTES)
  set('journalMaxBodyBytes', env.STANDIN_JOURNAL_MAX_BODY_BYTES)
  set('requestTimeoutMs', env.STANDIN_REQUEST_TIMEOUT_MS)
  set('maxConnections', env.STANDIN_MAX_CONNECTIONS)
  set('presetsDir', env.STANDIN_PRESETS_DIR)
  set('log', env.STANDIN_LOG)
  set('controlToken', env.STANDIN_CONTROL_TOKEN)
  set('cors', env.STANDIN_CORS)
  if (env.STANDIN_PROVIDERS)
    out.providers = env.STANDIN_PROVIDERS.split(',')
      .map((p) => p.trim())
      .filter(Boolean)
  if (env.STANDIN_WEBHOOKS)
    out.webhooks = env.STANDIN_WEBHOOKS.split(',').map((w) => parseWebhookSpec(w.trim()))
  const ports: Record<string, string> = {}
  for (const provider of providers) {
    const value = env[`STANDIN_${provider.name.toUpperCase()}_PORT`]
    if (value) ports[provider.name] = value
  }
  if (Object.keys(ports).length) out.ports = ports
  return out as HubConfigInput
}

/** A setting as a user writes it: `timeScale` → --time-scale / STANDIN_TIME_SCALE; `ports.stripe` → --stripe-port. */
function settingNames(path: string[]): { flag: string; env: string } {
  const [key = '', sub] = path
  const kebab = key === 'ports' && sub ? `${sub}-port` : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  const env = `STANDIN_${kebab.replace(/-/g, '_').toUpperCase()}`
  return { flag: key === 'webhooks' ? '--webhook' : `--${kebab}`, env }
}

/** Validates a merged config; a bad value is a harness error naming the setting. */
export function resolveConfig(input: HubConfigInput, providers: AnyProvider[]): HubConfig {
  const parsed = HubConfig.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const { flag, env } = settingNames(issue.path.map(String))
    throw new HarnessError('STANDIN_BAD_CONFIG', `Bad ${flag} (${env}): ${issue.message}.`, {
      field: flag.slice(2),
    })
  }
  // Reachable by others, the control plane reads captured OTPs and changes what every provider answers.
  if (!isLoopback(parsed.data.host) && !parsed.data.controlToken)
    throw new HarnessError(
      'STANDIN_BAD_CONFIG',
      `Refusing to start: host ${parsed.data.host} is reachable from other machines and no control-plane token is set, so anyone could read captured codes and change faults. Pass --control-token <token> (or STANDIN_CONTROL_TOKEN), or bind 127.0.0.1.`,
      { field: 'control-token' },
    )
  const known = new Set(providers.map((p) => p.name))
  for (const name of [
    ...(parsed.data.providers ?? []),
    ...Object.keys(parsed.data.ports),
    ...parsed.data.webhooks.map((w) => w.provider),
  ]) {
    if (!known.has(name))
      throw new HarnessError(
        'STANDIN_BAD_CONFIG',
        `Bad configuration: unknown provider '${name}'. Known: ${[...known].join(', ')}.`,
        {
          field: 'providers',
        },
      )
  }
  return parsed.data
}
