import { InvalidArgumentError } from 'commander'
import { type Cli, example, number, pairs } from './support.ts'

/** Time as the clock takes it: epoch ms, or ISO 8601. */
const instant = (text: string): number | string => {
  if (/^\d+$/.test(text)) return Number(text)
  if (Number.isNaN(Date.parse(text)))
    throw new InvalidArgumentError("Expected epoch ms or ISO 8601, e.g. '2030-01-01T09:00:00Z'.")
  return text
}

/** health, reset, providers, journal, clock, presets and the inbox. */
export function registerHubCommands(cli: Cli): void {
  const { program } = cli
  example(
    program
      .command('health')
      .description('Is the hub up, and where does each provider listen')
      .action(async () => {
        const h = await cli.client().health()
        cli.print(h, () =>
          [
            `ok · ${h.clock.now} · scale ${h.clock.scale} · seed ${h.seed}`,
            ...h.providers.map((p) => `  ${p.name.padEnd(10)} ${p.url}`),
          ].join('\n'),
        )
      }),
    'standin health',
  )

  example(
    program
      .command('reset')
      .description(
        'Forget state, journal, rules, deliveries and messages, and restart the seeded ids (all, or one provider / account)',
      )
      .option('--provider <name>', 'reset only this provider')
      .option('--account <id>', "reset only this account's state (with --provider)")
      .action(async (o: { provider?: string; account?: string }) =>
        cli.print(await cli.client().reset(o), () => 'reset'),
      ),
    'standin reset',
    'standin reset --provider stripe --account acct_1',
  )

  example(
    program
      .command('providers')
      .description('Providers with their operations, named errors and triggers')
      .action(async () => {
        const { providers } = await cli.client().providers()
        cli.print(providers, () =>
          providers
            .map((p) =>
              [
                `${p.name} (${p.title}) ${p.url}`,
                '  operations:',
                ...p.operations.map((o) => `    ${o.operation.padEnd(36)} ${o.method} ${o.path}`),
                `  errors:   ${p.errors.map((e) => e.name).join(', ') || '-'}`,
                `  triggers: ${p.triggers.map((t) => t.name).join(', ') || '-'}`,
              ].join('\n'),
            )
            .join('\n\n'),
        )
      }),
    'standin providers',
  )

  example(
    program
      .command('journal')
      .description('Recent requests the providers received, oldest first')
      .option('--provider <name>', "only this provider's requests")
      .option('--operation <name>', 'only this operation, e.g. payment_intents.create')
      .option('--limit <n>', 'how many of the newest', number({ int: true, min: 1, max: 10_000 }), 20)
      .action(async (o: { provider?: string; operation?: string; limit: number }) => {
        const { entries } = await cli.client().journal.list(o)
        cli.print(
          entries,
          () =>
            entries
              .map(
                (e) =>
                  `${e.seq}  ${e.at}  ${e.provider}  ${e.method} ${e.path}  ${e.status || e.outcome}${e.fault ? `  [${e.fault.explanation}]` : ''}`,
              )
              .join('\n') || 'no requests',
        )
      }),
    'standin journal --provider stripe --limit 5',
  )

  const clock = program.command('clock').description('The virtual clock: show, advance, set, scale')
  example(clock, 'standin clock advance 3d')
  example(
    clock
      .command('show')
      .description('Print virtual time, scale and pending timers')
      .action(async () => {
        const c = await cli.client().clock.get()
        cli.print(c, () => `${c.now} (scale ${c.scale}, ${c.pendingTimers} pending timers)`)
      }),
    'standin clock show',
  )
  example(
    clock
      .command('advance <duration>')
      .description("Move virtual time forward, firing what falls due: ms, or '90s', '15m', '2h', '3d'")
      .action(async (by: string) => {
        const c = await cli.client().clock.advance(/^\d+$/.test(by) ? Number(by) : by)
        cli.print(c, () => `now ${c.now}`)
      }),
    'standin clock advance 2h',
  )
  example(
    clock
      .command('set')
      .description('Set virtual time; timers due by then fire')
      .argument('<time>', 'epoch ms or ISO 8601', instant)
      .action(async (time: number | string) => {
        const c = await cli.client().clock.set(time)
        cli.print(c, () => `now ${c.now}`)
      }),
    'standin clock set 2030-01-01T09:00:00Z',
  )
  example(
    clock
      .command('scale')
      .description('How fast virtual time runs')
      .argument(
        '<factor>',
        'virtual ms per real ms (3600: an hour a second; 0 freezes time)',
        number({ min: 0 }),
      )
      .action(async (factor: number) => {
        const c = await cli.client().clock.scale(factor)
        cli.print(c, () => `scale ${c.scale}`)
      }),
    'standin clock scale 0',
  )

  const preset = program.command('preset').description('Named fault bundles from scenarios/presets/')
  example(preset, 'standin preset list')
  example(
    preset
      .command('list')
      .description('List presets and the variables each takes')
      .action(async () => {
        const presets = await cli.client().presets.list()
        cli.print(
          presets,
          () => presets.map((p) => `${p.name.padEnd(32)} ${p.description}`).join('\n') || 'no presets',
        )
      }),
    'standin preset list',
  )
  example(
    preset
      .command('apply <name>')
      .description("Add a preset's fault and webhook rules")
      // biome-ignore lint/suspicious/noTemplateCurlyInString: names the preset's literal ${var} placeholders
      .option('--var <key=value>', 'fill a ${var} of the preset (repeatable)', pairs())
      .action(async (name: string, o: { var?: Record<string, string> }) => {
        const applied = await cli.client().presets.apply(name, o.var ?? {})
        cli.print(applied, () =>
          [
            ...applied.faults.map((r) => `${r.id}: ${r.explanation}`),
            ...applied.webhookRules.map((r) => `${r.id}: ${r.explanation}`),
          ].join('\n'),
        )
      }),
    'standin preset apply provider-rate-limited --var provider=stripe',
  )

  example(
    program
      .command('inbox <recipient>')
      .description('Latest SMS / email captured for a phone number (any format) or address')
      .option('--code', 'print only the one-time code of the newest message')
      .option('--links', 'print only the links of the newest message')
      .option(
        '--wait <ms>',
        'wait up to this long for a message to arrive',
        number({ int: true, min: 0, max: 300_000, what: 'ms' }),
        0,
      )
      .option('--limit <n>', 'how many messages', number({ int: true, min: 1, max: 1000 }), 10)
      .action(async (to: string, o: { code?: boolean; links?: boolean; wait: number; limit: number }) => {
        const c = cli.client()
        if (o.code) {
          const r = await c.messages.code({ to, timeoutMs: o.wait })
          return cli.print(r, () => r.code)
        }
        if (o.links) {
          const r = await c.messages.links({ to, timeoutMs: o.wait })
          return cli.print(r, () => r.links.join('\n'))
        }
        if (o.wait > 0) await c.messages.wait({ to, timeoutMs: o.wait })
        const messages = await c.messages.list({ to, limit: o.limit })
        cli.print(messages, () =>
          messages.length
            ? messages
                .map(
                  (m) =>
                    `${m.at}  ${m.provider}/${m.channel}  from ${m.from}\n  ${m.subject ? `${m.subject}: ` : ''}${m.text}`,
                )
                .join('\n')
            : `no messages to ${to}`,
        )
      }),
    'standin inbox +821012345678 --code --wait 10000',
  )
}
