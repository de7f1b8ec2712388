import { pathToFileURL } from 'node:url'
import { Command, CommanderError, Option } from 'commander'
import { registerScenarioCommands } from '../../scenarios/cli.ts'
import { StandinClientError } from '../core/control/client.ts'
import { HarnessError } from '../core/errors.ts'
import { registerHubCommands } from './cli/commands.ts'
import { registerFaultCommands } from './cli/faults.ts'
import { type CliIO, cliContext, collect, example, flagOf } from './cli/support.ts'
import { registerWebhookCommands } from './cli/webhooks.ts'
import { configFromEnv, type HubConfigInput, parseWebhookSpec } from './config.ts'
import { startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/**
 * `standin`: start the hub, and drive a running one (faults, webhooks,
 * presets, clock, inboxes, deliveries) from a shell or a CI step. Every
 * option has a description and every command an example; a bad flag value
 * is one line naming the flag as typed.
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command('standin')
    .description(
      'Provider simulators (Twilio, Aligo, SendGrid, Stripe, Razorpay, Toss) and their control plane',
    )
    .option(
      '--url <url>',
      'control plane of a running hub (env STANDIN_URL)',
      process.env.STANDIN_URL ?? 'http://127.0.0.1:4700',
    )
    .option(
      '--control-token <token>',
      "the hub's control-plane token, if it has one (env STANDIN_CONTROL_TOKEN)",
    )
    .option('--json', 'print raw JSON')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride()
  example(
    program,
    'standin up',
    'standin faults add --provider stripe --error card_declined --times 1',
    'standin inbox +821012345678 --code',
  )
  const cli = cliContext(program, io)
  registerUp(program, io)
  registerHubCommands(cli)
  registerFaultCommands(cli)
  registerWebhookCommands(cli)
  // journeys, profile check/schema, mutation, gate: the scenarios' own commands
  registerScenarioCommands(program)
  addMissingExamples(program)
  return program
}

/** Examples for the scenarios' commands that bring none of their own, so every command's help has one. */
const scenarioExamples: Record<string, string[]> = {
  journeys: ['standin journeys --profile my-app.json --grep @payments --workers 2'],
  profile: ['standin profile check my-app.json'],
  'profile check': ['standin profile check my-app.json --target http://127.0.0.1:3000'],
  'profile schema': ['standin profile schema --out profile.schema.json'],
  mutation: [
    'standin mutation --profile my-app.json --start "npm start" --defects-env APP_DEFECT --defects double-charge,no-retry',
  ],
}

function addMissingExamples(root: Command, path: string[] = []): void {
  for (const command of root.commands) {
    const name = [...path, command.name()].join(' ')
    const lines = scenarioExamples[name]
    // addHelpText('after') is an 'afterHelp' listener; a command with one already shows its own examples.
    const ownHelp = (command as unknown as NodeJS.EventEmitter).listenerCount('afterHelp') > 0
    if (lines && !ownHelp) example(command, ...lines)
    addMissingExamples(command, [...path, command.name()])
  }
}

function registerUp(program: Command, io: CliIO): void {
  const up = program
    .command('up')
    .description(
      'Start every provider on its port and the control plane + dashboard on the hub port; Ctrl-C stops it',
    )
    .option(
      '--host <host>',
      'address to bind; anything but loopback needs --control-token (env STANDIN_HOST)',
    )
    .option('--control-token <token>', 'require this token on the control plane (env STANDIN_CONTROL_TOKEN)')
    .option('--cors <origin>', 'let this one origin call the control plane from a browser (env STANDIN_CORS)')
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
    .addOption(
      new Option('--log <level>', 'log level (env STANDIN_LOG)').choices(['silent', 'info', 'debug']),
    )
  for (const provider of allProviders)
    up.option(
      `--${provider.name}-port <port>`,
      `${provider.title ?? provider.name} port (default ${provider.defaultPort})`,
    )
  example(
    up,
    'standin up --seed 7 --time-scale 60',
    'standin up --host 0.0.0.0 --control-token "$STANDIN_CONTROL_TOKEN"',
  )
  up.action(async (options: Record<string, string | string[] | undefined>) => {
    const input: HubConfigInput = configFromEnv(process.env, allProviders)
    const flag = (name: string) => options[name] as string | undefined
    const settings = [
      'host',
      'controlToken',
      'cors',
      'publicHost',
      'port',
      'seed',
      'timeScale',
      'journalSize',
      'journalMaxBytes',
      'journalMaxBodyBytes',
      'requestTimeoutMs',
      'maxConnections',
      'presetsDir',
      'log',
    ] as const
    for (const name of settings) if (flag(name)) (input as Record<string, unknown>)[name] = flag(name)
    if (flag('providers'))
      input.providers = flag('providers')!
        .split(',')
        .map((p) => p.trim())
    if (options.webhook)
      input.webhooks = [...(input.webhooks ?? []), ...(options.webhook as string[]).map(parseWebhookSpec)]
    for (const provider of allProviders) {
      const port = flag(`${provider.name}Port`)
      if (port) input.ports = { ...input.ports, [provider.name]: port }
    }
    const hub = await startHub(input)
    const lines = [
      `standin is up (seed ${hub.config.seed}, time scale ${hub.config.timeScale}${hub.config.controlToken ? ', control plane behind a token' : ''})`,
      `  dashboard      ${hub.url}/`,
      `  control plane  ${hub.url}/_standin  (OpenAPI: ${hub.url}/_standin/openapi.json)`,
      ...Object.entries(hub.providerUrls).map(([name, url]) => `  ${name.padEnd(14)} ${url}`),
    ]
    io.out(`${lines.join('\n')}\n`)
    let closing = false
    const stop = async (signal: string) => {
      if (closing) return
      closing = true
      io.err(
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
}

/**
 * Runs the CLI on `argv` (without node and the script) and answers the exit
 * code: 0, 1 for a refusal or bad flag (one line on stderr, no stack), 2 for a
 * port in use. Tests call it in-process with their own io.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    // commander has already printed its own one-line error (or the help / version asked for).
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof HarnessError || error instanceof StandinClientError) {
      // The flag the user typed, unless the message already names it.
      const flag = flagOf(error.field) ?? (error.field ? `field: ${error.field}` : undefined)
      const named = !flag || error.message.includes(flag.replace(/^field: /, ''))
      const where = named ? '' : ` (${flag})`
      io.err(`standin: ${error.message}${where}\n`)
      return error instanceof HarnessError && error.code === 'STANDIN_PORT_IN_USE' ? 2 : 1
    }
    io.err(`standin: ${(error as Error).stack ?? error}\n`)
    return 1
  }
}

/** The `standin` command on this process's argv, stdout and stderr (bin/standin.js calls it). */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  })
  // `up` keeps serving after its action returns: only a failure ends the process here.
  if (code !== 0) process.exit(code)
}

// `tsx simulators/hub/cli.ts ...` (npm scripts) runs it directly; a test importing it does not.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) void main()
