import { Command, Option } from 'commander'
import { registerScenarioCommands } from '../../scenarios/cli.ts'
import { StandinClient, StandinClientError } from '../core/control/client.ts'
import { HarnessError } from '../core/errors.ts'
import type { FaultRuleInput } from '../core/faults/schema.ts'
import { configFromEnv, type HubConfigInput, parseWebhookSpec } from './config.ts'
import { startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/**
 * `standin`: start the hub, and drive a running one (faults, presets, clock,
 * inboxes, deliveries) from a shell or a CI step.
 */
const program = new Command('standin')
  .description(
    'Provider simulators (Twilio, Aligo, SendGrid, Stripe, Razorpay, Toss) and their control plane',
  )
  .option(
    '--url <url>',
    'control plane of a running hub (env STANDIN_URL)',
    process.env.STANDIN_URL ?? 'http://127.0.0.1:4700',
  )
  .option('--json', 'print raw JSON')
  .showHelpAfterError()

const client = () => new StandinClient({ url: program.opts().url })
const print = (value: unknown, human?: () => string) => {
  process.stdout.write(`${program.opts().json || !human ? JSON.stringify(value, null, 2) : human()}\n`)
}
const pairs = (value: string, previous: Record<string, string> = {}) => {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new HarnessError('STANDIN_BAD_REQUEST', `Expected key=value, got '${value}'.`)
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) }
}
const collect = (value: string, previous: string[] = []) => [...previous, value]

// ------------------------------------------------------------------ up
const up = program
  .command('up')
  .description(
    'Start every provider on its port and the control plane + dashboard on the hub port; Ctrl-C stops it',
  )
  .option('--host <host>', 'address to bind (env STANDIN_HOST)')
  .option('--public-host <host>', 'host name put in hosted page URLs (env STANDIN_PUBLIC_HOST)')
  .option('--port <port>', 'control plane port (env STANDIN_PORT, default 4700)')
  .option('--providers <list>', 'comma-separated subset (env STANDIN_PROVIDERS)')
  .option('--seed <n>', 'seed for ids and probabilities (env STANDIN_SEED, default 1)')
  .option('--time-scale <n>', 'virtual ms per real ms (env STANDIN_TIME_SCALE, default 1)')
  .option('--journal-size <n>', 'requests kept in the journal (env STANDIN_JOURNAL_SIZE, default 10000)')
  .option(
    '--journal-max-bytes <n>',
    'bytes the journal keeps in all; the oldest go first (env STANDIN_JOURNAL_MAX_BYTES, default 64 MiB)',
  )
  .option(
    '--journal-max-body-bytes <n>',
    'larger bodies are journaled truncated (env STANDIN_JOURNAL_MAX_BODY_BYTES, default 65536)',
  )
  .option(
    '--request-timeout-ms <ms>',
    'a client must send a whole request within this (env STANDIN_REQUEST_TIMEOUT_MS, default 30000)',
  )
  .option('--max-connections <n>', 'open connections per port (env STANDIN_MAX_CONNECTIONS, default 2048)')
  .option('--presets-dir <dir>', 'folder of preset JSON files (env STANDIN_PRESETS_DIR)')
  .option(
    '--webhook <provider=url[#secret]>',
    'send a provider’s events to url (repeatable; env STANDIN_WEBHOOKS)',
    collect,
  )
  .addOption(new Option('--log <level>', 'log level (env STANDIN_LOG)').choices(['silent', 'info', 'debug']))
for (const provider of allProviders)
  up.option(
    `--${provider.name}-port <port>`,
    `${provider.title ?? provider.name} port (default ${provider.defaultPort})`,
  )
up.action(async (options: Record<string, string | string[] | undefined>) => {
  const input: HubConfigInput = configFromEnv(process.env, allProviders)
  const flag = (name: string) => options[name] as string | undefined
  if (flag('host')) input.host = flag('host')
  if (flag('publicHost')) input.publicHost = flag('publicHost')
  if (flag('port')) input.port = flag('port')
  if (flag('providers'))
    input.providers = flag('providers')!
      .split(',')
      .map((p) => p.trim())
  if (flag('seed')) input.seed = flag('seed')
  if (flag('timeScale')) input.timeScale = flag('timeScale')
  if (flag('journalSize')) input.journalSize = flag('journalSize')
  if (flag('journalMaxBytes')) input.journalMaxBytes = flag('journalMaxBytes')
  if (flag('journalMaxBodyBytes')) input.journalMaxBodyBytes = flag('journalMaxBodyBytes')
  if (flag('requestTimeoutMs')) input.requestTimeoutMs = flag('requestTimeoutMs')
  if (flag('maxConnections')) input.maxConnections = flag('maxConnections')
  if (flag('presetsDir')) input.presetsDir = flag('presetsDir')
  if (flag('log')) input.log = flag('log') as HubConfigInput['log']
  if (options.webhook)
    input.webhooks = [...(input.webhooks ?? []), ...(options.webhook as string[]).map(parseWebhookSpec)]
  for (const provider of allProviders) {
    const port = flag(`${provider.name}Port`)
    if (port) input.ports = { ...input.ports, [provider.name]: port }
  }
  const hub = await startHub(input)
  const lines = [
    `standin is up (seed ${hub.config.seed}, time scale ${hub.config.timeScale})`,
    `  dashboard      ${hub.url}/`,
    `  control plane  ${hub.url}/_standin  (OpenAPI: ${hub.url}/_standin/openapi.json)`,
    ...Object.entries(hub.providerUrls).map(([name, url]) => `  ${name.padEnd(14)} ${url}`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  let closing = false
  const stop = async (signal: string) => {
    if (closing) return
    closing = true
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'shutting down', signal })}\n`,
    )
    await hub.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  // The last line of defence: every part of the hub contains its own failures, but should one still
  // escape, it is logged and the hub serves on rather than dropping every test that relies on it.
  process.on('unhandledRejection', (error) =>
    hub.core.log.error('unhandled rejection (contained)', {
      error: String((error as Error)?.stack ?? error),
    }),
  )
  process.on('uncaughtException', (error) =>
    hub.core.log.error('uncaught exception (contained)', { error: String(error?.stack ?? error) }),
  )
})

// ------------------------------------------------------------ simple calls
program
  .command('health')
  .description('Is the hub up, and where does each provider listen')
  .action(async () => {
    const h = await client().health()
    print(h, () =>
      [
        `ok · ${h.clock.now} · scale ${h.clock.scale}`,
        ...h.providers.map((p) => `  ${p.name.padEnd(10)} ${p.url}`),
      ].join('\n'),
    )
  })

program
  .command('reset')
  .description('Forget state, journal, rules, deliveries and messages (all, or one provider / account)')
  .option('--provider <name>')
  .option('--account <id>')
  .action(async (o: { provider?: string; account?: string }) => print(await client().reset(o), () => 'reset'))

// ------------------------------------------------------------------ faults
const faults = program.command('faults').description('Fault rules: add, list, remove, clear')
faults
  .command('add')
  .description('Add a fault rule (flags, or the whole rule as --rule JSON)')
  .option('--rule <json>', 'the rule as JSON (see /_standin/openapi.json)')
  .option('--provider <name>')
  .option('--operation <name>', "the provider's operation, e.g. payment_intents.create")
  .option('--method <method>')
  .option('--path <pattern>', 'exact path or pattern with :param and *')
  .option('--where <field=value>', 'body field condition (repeatable), e.g. metadata.order_id=o_1', pairs)
  .option('--error <name>', "respond with a named error of the provider's catalogue")
  .option('--status <code>', 'respond with this HTTP status')
  .option('--body <json>', 'body for --status')
  .option('--latency <ms|min-max|p50:p99>', 'add latency')
  .option('--after-processing', 'latency, reset or hang after the provider did the work')
  .option('--reset', 'reset the connection')
  .option('--hang [ms]', 'never answer (closes after ms, default 300000)')
  .option('--slow-body', 'trickle the body')
  .option('--times <n>')
  .option('--after <n>', 'let the first n matches through')
  .option('--probability <p>')
  .option('--name <name>')
  .action(async (o: Record<string, string | boolean | Record<string, string> | undefined>) => {
    const rule = o.rule ? (JSON.parse(o.rule as string) as FaultRuleInput) : ruleFromFlags(o)
    const added = await client().faults.add(rule)
    print(added, () => `${added.id}: ${added.explanation}`)
  })
faults
  .command('list')
  .description('List fault rules with how often each matched and fired')
  .option('--provider <name>')
  .action(async (o: { provider?: string }) => {
    const rules = await client().faults.list(o.provider)
    print(rules, () =>
      rules.length
        ? rules.map((r) => `${r.id}  ${r.explanation}  (seen ${r.seen}, fired ${r.fired})`).join('\n')
        : 'no fault rules',
    )
  })
faults
  .command('remove <id>')
  .description('Remove one fault rule')
  .action(async (id: string) => print(await client().faults.remove(id), () => `removed ${id}`))
faults
  .command('clear')
  .description('Remove every fault rule (or one provider’s)')
  .option('--provider <name>')
  .action(async (o: { provider?: string }) => {
    const r = await client().faults.clear(o.provider)
    print(r, () => `removed ${r.removed}`)
  })

function ruleFromFlags(
  o: Record<string, string | boolean | Record<string, string> | undefined>,
): FaultRuleInput {
  const phase = o.afterProcessing ? 'after' : 'before'
  const effects = [o.error, o.status, o.latency, o.reset, o.hang, o.slowBody].filter((x) => x !== undefined)
  if (effects.length !== 1)
    throw new HarnessError(
      'STANDIN_BAD_REQUEST',
      'Give exactly one effect: --error, --status, --latency, --reset, --hang or --slow-body.',
      {
        field: 'effect',
      },
    )
  let effect: FaultRuleInput['effect']
  if (o.error) effect = { type: 'provider-error', error: o.error as string }
  else if (o.status)
    effect = {
      type: 'status',
      status: Number(o.status),
      ...(o.body ? { body: JSON.parse(o.body as string) } : {}),
    }
  else if (o.latency) {
    const text = o.latency as string
    const [a, b] = text.split(/[-:]/).map(Number)
    effect = text.includes(':')
      ? { type: 'latency', p50: a!, p99: b!, phase }
      : text.includes('-')
        ? { type: 'latency', min: a!, max: b!, phase }
        : { type: 'latency', ms: a!, phase }
  } else if (o.reset) effect = { type: 'connection-reset', phase }
  else if (o.hang)
    effect = { type: 'hang', phase, ...(typeof o.hang === 'string' ? { ms: Number(o.hang) } : {}) }
  else effect = { type: 'slow-body', chunkBytes: 16, chunkDelayMs: 200 }
  const match: FaultRuleInput['match'] = {}
  if (o.provider) match.provider = o.provider as string
  if (o.operation) match.operation = o.operation as string
  if (o.method) match.method = (o.method as string).toUpperCase() as 'POST'
  if (o.path) match.path = o.path as string
  if (o.where) match.body = o.where as Record<string, string>
  return {
    match,
    effect,
    ...(o.name ? { name: o.name as string } : {}),
    ...(o.times ? { times: Number(o.times) } : {}),
    ...(o.after ? { after: Number(o.after) } : {}),
    ...(o.probability ? { probability: Number(o.probability) } : {}),
  }
}

// ------------------------------------------------------------------ presets
const preset = program.command('preset').description('Named fault bundles from scenarios/presets/')
preset
  .command('list')
  .description('List presets')
  .action(async () => {
    const presets = await client().presets.list()
    print(
      presets,
      () => presets.map((p) => `${p.name.padEnd(32)} ${p.description}`).join('\n') || 'no presets',
    )
  })
preset
  .command('apply <name>')
  .description('Apply a preset')
  // biome-ignore lint/suspicious/noTemplateCurlyInString: names the preset's literal ${var} placeholders
  .option('--var <key=value>', 'fill a ${var} of the preset (repeatable)', pairs)
  .action(async (name: string, o: { var?: Record<string, string> }) => {
    const applied = await client().presets.apply(name, o.var ?? {})
    print(applied, () =>
      [
        ...applied.faults.map((r) => `${r.id}: ${r.explanation}`),
        ...applied.webhookRules.map((r) => `${r.id}: ${r.effect.type}`),
      ].join('\n'),
    )
  })

// ------------------------------------------------------------------ clock
const clock = program.command('clock').description('The virtual clock')
clock
  .command('show')
  .description('Print virtual time and scale')
  .action(async () => {
    const c = await client().clock.get()
    print(c, () => `${c.now} (scale ${c.scale}, ${c.pendingTimers} pending timers)`)
  })
clock
  .command('advance <duration>')
  .description("Move virtual time forward: ms, or '90s', '15m', '2h', '3d'")
  .action(async (by: string) => {
    const c = await client().clock.advance(/^\d+$/.test(by) ? Number(by) : by)
    print(c, () => `now ${c.now}`)
  })
clock
  .command('scale <factor>')
  .description('Virtual ms per real ms (0 freezes)')
  .action(async (factor: string) => {
    const c = await client().clock.scale(Number(factor))
    print(c, () => `scale ${c.scale}`)
  })

// ------------------------------------------------------------------ inbox
program
  .command('inbox <recipient>')
  .description('Latest SMS / email captured for a phone number or address')
  .option('--code', 'print only the one-time code of the newest message')
  .option('--links', 'print only the links of the newest message')
  .option('--wait <ms>', 'wait this long for a message to arrive', '0')
  .option('--limit <n>', 'how many messages', '10')
  .action(async (to: string, o: { code?: boolean; links?: boolean; wait: string; limit: string }) => {
    const c = client()
    if (o.code) {
      const r = await c.messages.code({ to, timeoutMs: Number(o.wait) })
      return print(r, () => r.code)
    }
    if (o.links) {
      const r = await c.messages.links({ to, timeoutMs: Number(o.wait) })
      return print(r, () => r.links.join('\n'))
    }
    if (Number(o.wait) > 0) await c.messages.wait({ to, timeoutMs: Number(o.wait) })
    const messages = await c.messages.list({ to, limit: Number(o.limit) })
    print(messages, () =>
      messages.length
        ? messages
            .map(
              (m) =>
                `${m.at}  ${m.provider}/${m.channel}  from ${m.from}\n  ${m.subject ? `${m.subject}: ` : ''}${m.text}`,
            )
            .join('\n')
        : `no messages to ${to}`,
    )
  })

// --------------------------------------------------------------- webhooks
program
  .command('deliveries')
  .description('Webhook deliveries with their attempts, newest first')
  .option('--provider <name>')
  .option('--status <status>', 'pending, retrying, delivered or failed')
  .option('--event-type <type>')
  .option('--limit <n>', 'how many', '20')
  .action(async (o: { provider?: string; status?: string; eventType?: string; limit: string }) => {
    const deliveries = await client().webhooks.deliveries.list({
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.status ? { status: o.status as 'failed' } : {}),
      ...(o.eventType ? { eventType: o.eventType } : {}),
      limit: Number(o.limit),
    })
    print(deliveries, () =>
      deliveries.length
        ? deliveries
            .map(
              (d) =>
                `${d.id}  ${d.provider} ${d.eventType} → ${d.url}  ${d.status}  [${d.attempts.map((a) => a.status ?? a.outcome).join(', ')}]`,
            )
            .join('\n')
        : 'no deliveries',
    )
  })
program
  .command('redeliver <deliveryId>')
  .description('Send a delivery’s event again now')
  .action(async (id: string) =>
    print(await client().webhooks.deliveries.redeliver(id), () => `redelivering ${id}`),
  )
program
  .command('trigger <provider> <event>')
  .description('Send an event on demand, like `stripe trigger` (see `standin providers` for trigger names)')
  .option('--account <id>', 'account the event belongs to', 'default')
  .option('--param <key=value>', 'trigger parameter (repeatable)', pairs)
  .action(async (provider: string, event: string, o: { account: string; param?: Record<string, string> }) =>
    print(
      await client().webhooks.events.send({ provider, event, account: o.account, params: o.param ?? {} }),
    ),
  )
program
  .command('providers')
  .description('Providers with their operations, named errors and triggers')
  .action(async () => {
    const { providers } = await client().providers()
    print(providers, () =>
      providers
        .map(
          (p) =>
            `${p.name} ${p.url}\n  errors:   ${p.errors.map((e) => e.name).join(', ') || '-'}\n  triggers: ${p.triggers.map((t) => t.name).join(', ') || '-'}`,
        )
        .join('\n'),
    )
  })
program
  .command('journal')
  .description('Recent requests the providers received')
  .option('--provider <name>')
  .option('--operation <name>')
  .option('--limit <n>', 'how many', '20')
  .action(async (o: { provider?: string; operation?: string; limit: string }) => {
    const { entries } = await client().journal.list({
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.operation ? { operation: o.operation } : {}),
      limit: Number(o.limit),
    })
    print(
      entries,
      () =>
        entries
          .map(
            (e) =>
              `${e.seq}  ${e.at}  ${e.provider}  ${e.method} ${e.path}  ${e.status || e.outcome}${e.fault ? `  [${e.fault.explanation}]` : ''}`,
          )
          .join('\n') || 'no requests',
    )
  })

// journeys, profile check/schema, mutation: the scenarios' own commands
registerScenarioCommands(program)

program.parseAsync().catch((error: unknown) => {
  if (error instanceof HarnessError || error instanceof StandinClientError) {
    process.stderr.write(
      `standin: ${error.message}${'field' in error && error.field ? ` (field: ${error.field})` : ''}\n`,
    )
    process.exit(error instanceof HarnessError && error.code === 'STANDIN_PORT_IN_USE' ? 2 : 1)
  }
  process.stderr.write(`standin: ${(error as Error).stack ?? error}\n`)
  process.exit(1)
})
