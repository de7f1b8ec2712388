import { InvalidArgumentError, Option } from 'commander'
import { HarnessError } from '../../core/errors.ts'
import type { FaultRule, FaultRuleInput } from '../../core/faults/schema.ts'
import { type Cli, example, json, looseValue, number, pairs } from './support.ts'

type Flags = {
  rule?: FaultRuleInput
  provider?: string
  operation?: string
  method?: string
  path?: string
  where?: Record<string, string>
  effect?: string
  param?: Record<string, unknown>
  error?: string
  status?: number
  body?: unknown
  latency?: Record<string, number>
  afterProcessing?: boolean
  reset?: boolean
  hang?: true | number
  slowBody?: boolean
  times?: number
  after?: number
  probability?: number
  name?: string
}

/** `250` → { ms }, `100-900` → { min, max }, `200:1500` → { p50, p99 }. */
function latency(text: string): Record<string, number> {
  const match = /^(\d+(?:\.\d+)?)(?:([-:])(\d+(?:\.\d+)?))?$/.exec(text.trim())
  if (!match)
    throw new InvalidArgumentError('Expected ms (250), a range (100-900) or percentiles p50:p99 (200:1500).')
  const [, a, sep, b] = match
  if (!sep) return { ms: Number(a) }
  return sep === '-' ? { min: Number(a), max: Number(b) } : { p50: Number(a), p99: Number(b) }
}

/** Whether a rule has used up its `times`. */
export const exhausted = (rule: { times?: number | undefined; fired: number }) =>
  rule.times !== undefined && rule.fired >= rule.times

const state = (rule: FaultRule) => (exhausted(rule) ? 'exhausted' : 'live')

export function registerFaultCommands(cli: Cli): void {
  const faults = cli.program.command('faults').description('Fault rules: add, list, show, remove, clear')
  example(
    faults,
    'standin faults add --provider stripe --operation payment_intents.create --error card_declined --times 1',
    'standin faults list',
  )

  const add = faults
    .command('add')
    .description(
      'Add a fault rule: what it matches (--provider, --operation, ...), one effect (a shortcut such as --error, or --effect <type> --param k=v), and how often',
    )
    .option(
      '--rule <json>',
      'the whole rule as JSON (see /_standin/openapi.json); other flags are then ignored',
      json,
    )
    .option('--provider <name>', 'only requests to this provider (standin providers lists them)')
    .option('--operation <name>', 'only this operation of the provider, e.g. payment_intents.create')
    .option('--method <method>', 'only this HTTP method (GET, POST, ...)')
    .option('--path <pattern>', 'only this path: exact, or a pattern with :param and *')
    .option(
      '--where <field=value>',
      'only requests whose body field has this value (repeatable), e.g. metadata.order_id=o_1',
      pairs(),
    )
    .option(
      '--effect <type>',
      'the effect by type (latency, status, provider-error, hang, ...), with its --param',
    )
    .option(
      '--param <key=value>',
      'a parameter of --effect (repeatable); numbers and JSON are read as such, e.g. --param ms=250',
      pairs(looseValue),
    )
    .option('--error <name>', "shortcut: respond with a named error of the provider's catalogue")
    .option(
      '--status <code>',
      'shortcut: respond with this HTTP status',
      number({ int: true, min: 100, max: 599, what: 'an HTTP status' }),
    )
    .option('--body <json>', 'the response body for --status', json)
    .option('--latency <ms|min-max|p50:p99>', 'shortcut: add latency (250, 100-900 or 200:1500)', latency)
    .option('--after-processing', 'apply latency, reset or hang after the provider did the work')
    .option('--reset', 'shortcut: reset the connection')
    .addOption(
      new Option(
        '--hang [ms]',
        'shortcut: never answer (the connection closes after ms, default 300000)',
      ).argParser(number({ int: true, min: 0, what: 'ms' })),
    )
    .option('--slow-body', 'shortcut: trickle the response body (16 bytes every 200 ms)')
    .option('--times <n>', 'fire at most n times, then let requests through', number({ int: true, min: 1 }))
    .option(
      '--after <n>',
      'let the first n matching requests through untouched',
      number({ int: true, min: 0 }),
    )
    .option('--probability <p>', 'chance of firing on each match, 0..1 (seeded)', number({ min: 0, max: 1 }))
    .option('--name <name>', 'a name for the rule, shown in lists and the journal')
    .action(async (o: Flags) => {
      const added = await cli.client().faults.add(o.rule ?? ruleFromFlags(o))
      cli.print(added, () => `${added.id}: ${added.explanation}`)
    })
  example(
    add,
    'standin faults add --provider stripe --operation payment_intents.create --error card_declined --times 1',
    'standin faults add --provider twilio --latency 200:1500 --probability 0.5',
    'standin faults add --provider aligo --effect status --param status=503 --param body=\'{"result_code":-99}\'',
    'standin faults add --rule \'{"match":{"provider":"toss"},"effect":{"type":"connection-reset"}}\'',
  )

  example(
    faults
      .command('list')
      .description('List fault rules: live or exhausted, and how often each matched and fired')
      .option('--provider <name>', "only this provider's rules")
      .action(async (o: { provider?: string }) => {
        const rules = await cli.client().faults.list(o.provider)
        cli.print(rules, () =>
          rules.length
            ? rules
                .map(
                  (r) =>
                    `${r.id}  ${state(r).padEnd(9)}  ${r.explanation}  (seen ${r.seen}, fired ${r.fired})`,
                )
                .join('\n')
            : 'no fault rules',
        )
      }),
    'standin faults list --provider stripe',
  )

  example(
    faults
      .command('show <id>')
      .alias('get')
      .description('Show one fault rule: what it matches, its effect, its limits and counts')
      .action(async (id: string) => {
        const r = await cli.client().faults.get(id)
        cli.print(r, () =>
          [
            `${r.id}${r.name ? ` (${r.name})` : ''}  ${state(r)}`,
            `  ${r.explanation}`,
            `  match   ${JSON.stringify(r.match)}`,
            `  effect  ${JSON.stringify(r.effect)}`,
            `  limits  times ${r.times ?? 'unlimited'}, after ${r.after ?? 0}, probability ${r.probability ?? 1}`,
            `  counts  seen ${r.seen}, fired ${r.fired}`,
          ].join('\n'),
        )
      }),
    'standin faults show fault_1',
  )

  example(
    faults
      .command('remove <id>')
      .description('Remove one fault rule')
      .action(async (id: string) => cli.print(await cli.client().faults.remove(id), () => `removed ${id}`)),
    'standin faults remove fault_1',
  )
  example(
    faults
      .command('clear')
      .description('Remove every fault rule (or one provider’s)')
      .option('--provider <name>', "only this provider's rules")
      .action(async (o: { provider?: string }) => {
        const r = await cli.client().faults.clear(o.provider)
        cli.print(r, () => `removed ${r.removed}`)
      }),
    'standin faults clear --provider stripe',
  )
}

function ruleFromFlags(o: Flags): FaultRuleInput {
  const phase = o.afterProcessing ? { phase: 'after' } : {}
  const given = (
    [
      ['--effect', o.effect],
      ['--error', o.error],
      ['--status', o.status],
      ['--latency', o.latency],
      ['--reset', o.reset],
      ['--hang', o.hang],
      ['--slow-body', o.slowBody],
    ] as const
  ).filter(([, value]) => value !== undefined)
  if (given.length !== 1)
    throw new HarnessError(
      'STANDIN_BAD_REQUEST',
      given.length
        ? `Give one effect, not ${given.map(([flag]) => flag).join(' and ')}.`
        : 'Give one effect: --error, --status, --latency, --reset, --hang, --slow-body, or --effect <type> with --param.',
      { field: 'effect' },
    )
  if (o.param && !o.effect)
    throw new HarnessError(
      'STANDIN_BAD_REQUEST',
      '--param sets a parameter of --effect <type>; give --effect too.',
      {
        field: 'param',
      },
    )
  let effect: Record<string, unknown>
  if (o.effect) effect = { ...o.param, type: o.effect, ...phase }
  else if (o.error) effect = { type: 'provider-error', error: o.error }
  else if (o.status !== undefined)
    effect = { type: 'status', status: o.status, ...(o.body !== undefined ? { body: o.body } : {}) }
  else if (o.latency) effect = { type: 'latency', ...o.latency, ...phase }
  else if (o.reset) effect = { type: 'connection-reset', ...phase }
  else if (o.hang !== undefined)
    effect = { type: 'hang', ...phase, ...(typeof o.hang === 'number' ? { ms: o.hang } : {}) }
  else effect = { type: 'slow-body', chunkBytes: 16, chunkDelayMs: 200 }
  const match: Record<string, unknown> = {}
  if (o.provider) match.provider = o.provider
  if (o.operation) match.operation = o.operation
  if (o.method) match.method = o.method.toUpperCase()
  if (o.path) match.path = o.path
  if (o.where) match.body = o.where
  return {
    match: match as FaultRuleInput['match'],
    // The hub validates the effect against its registry and names the field it refuses.
    effect: effect as FaultRuleInput['effect'],
    ...(o.name ? { name: o.name } : {}),
    ...(o.times !== undefined ? { times: o.times } : {}),
    ...(o.after !== undefined ? { after: o.after } : {}),
    ...(o.probability !== undefined ? { probability: o.probability } : {}),
  }
}
