import { HarnessError } from '../../core/errors.ts'
import type { WebhookDelivery } from '../../core/webhooks/types.ts'
import { type Cli, collect, example, json, looseValue, number, pairs } from './support.ts'

const attempts = (d: WebhookDelivery) => d.attempts.map((a) => a.status ?? a.outcome).join(', ')
const deliveryLine = (d: WebhookDelivery) =>
  `${d.id}  ${d.provider} ${d.eventType} → ${d.url}  ${d.status}  [${attempts(d)}]`

/** Webhook rules and endpoints, deliveries, redeliver and trigger. */
export function registerWebhookCommands(cli: Cli): void {
  const webhooks = cli.program
    .command('webhooks')
    .description('Webhook rules (duplicate, delay, drop, reorder, bad signature, ...) and endpoints')
  example(
    webhooks,
    'standin webhooks rules add --provider stripe --effect duplicate',
    'standin webhooks endpoints list',
  )

  const rules = webhooks.command('rules').description('Rules that tamper with webhook deliveries')
  example(rules, 'standin webhooks rules list')
  example(
    rules
      .command('add')
      .description(
        'Add a webhook rule: which events (--provider, --event-type), one --effect with its --param, how often',
      )
      .option(
        '--rule <json>',
        'the whole rule as JSON (see /_standin/openapi.json); other flags are then ignored',
        json,
      )
      .option('--provider <name>', "only this provider's events")
      .option('--event-type <type>', "only this event type, or a prefix ending in * ('payment_intent.*')")
      .option('--account <id>', "only this account's events")
      .option(
        '--effect <type>',
        'what it does: duplicate, delay, drop, reorder, bad-signature, stale-timestamp, ...',
      )
      .option(
        '--param <key=value>',
        'a parameter of the effect (repeatable), e.g. --param ms=5000',
        pairs(looseValue),
      )
      .option('--times <n>', 'act on at most n deliveries', number({ int: true, min: 1 }))
      .option(
        '--after <n>',
        'let the first n matching deliveries through untouched',
        number({ int: true, min: 0 }),
      )
      .option(
        '--probability <p>',
        'chance of acting on each match, 0..1 (seeded)',
        number({ min: 0, max: 1 }),
      )
      .option('--name <name>', 'a name for the rule, shown in lists')
      .action(
        async (o: {
          rule?: Parameters<ReturnType<Cli['client']>['webhooks']['rules']['add']>[0]
          provider?: string
          eventType?: string
          account?: string
          effect?: string
          param?: Record<string, unknown>
          times?: number
          after?: number
          probability?: number
          name?: string
        }) => {
          if (!o.rule && !o.effect)
            throw new HarnessError(
              'STANDIN_BAD_REQUEST',
              'Give --effect <type> (or the whole rule as --rule).',
              {
                field: 'effect',
              },
            )
          const rule = o.rule ?? {
            match: {
              ...(o.provider ? { provider: o.provider } : {}),
              ...(o.eventType ? { eventType: o.eventType } : {}),
              ...(o.account ? { account: o.account } : {}),
            },
            // The hub validates the effect against its registry and names the field it refuses.
            effect: { ...o.param, type: o.effect } as never,
            ...(o.name ? { name: o.name } : {}),
            ...(o.times !== undefined ? { times: o.times } : {}),
            ...(o.after !== undefined ? { after: o.after } : {}),
            ...(o.probability !== undefined ? { probability: o.probability } : {}),
          }
          const added = await cli.client().webhooks.rules.add(rule)
          cli.print(added, () => `${added.id}: ${added.explanation}`)
        },
      ),
    'standin webhooks rules add --provider stripe --event-type "payment_intent.*" --effect duplicate --times 1',
    'standin webhooks rules add --provider toss --effect delay --param ms=30000',
  )
  example(
    rules
      .command('list')
      .description('List webhook rules: live or exhausted, and how often each matched and fired')
      .action(async () => {
        const list = await cli.client().webhooks.rules.list()
        cli.print(list, () =>
          list.length
            ? list
                .map(
                  (r) =>
                    `${r.id}  ${(r.times !== undefined && r.fired >= r.times ? 'exhausted' : 'live').padEnd(9)}  ${r.explanation}  (seen ${r.seen}, fired ${r.fired})`,
                )
                .join('\n')
            : 'no webhook rules',
        )
      }),
    'standin webhooks rules list',
  )
  example(
    rules
      .command('remove <id>')
      .description('Remove one webhook rule')
      .action(async (id: string) =>
        cli.print(await cli.client().webhooks.rules.remove(id), () => `removed ${id}`),
      ),
    'standin webhooks rules remove whr_1',
  )

  const endpoints = webhooks.command('endpoints').description("Where each provider's events are sent")
  example(endpoints, 'standin webhooks endpoints list --provider stripe')
  example(
    endpoints
      .command('add')
      .description("Send a provider's events to a URL (what its dashboard's webhook settings do)")
      .argument('<provider>', 'the provider whose events it receives')
      .argument('<url>', 'where the events are POSTed')
      .option('--account <id>', "the account whose events it receives ('*' for every account)", '*')
      .option('--secret <secret>', "the signing secret (default: the provider's own default)")
      .option('--event <type>', 'receive only this event type (repeatable; default all)', collect)
      .action(
        async (provider: string, url: string, o: { account: string; secret?: string; event?: string[] }) => {
          const added = await cli.client().webhooks.endpoints.add({
            provider,
            url,
            account: o.account,
            ...(o.secret ? { secret: o.secret } : {}),
            ...(o.event ? { events: o.event } : {}),
          })
          cli.print(added, () => `${added.id}: ${added.provider} (${added.account}) → ${added.url}`)
        },
      ),
    'standin webhooks endpoints add stripe http://127.0.0.1:3000/webhooks/stripe --secret whsec_test',
  )
  example(
    endpoints
      .command('list')
      .description('List endpoints, registered by config or through the provider API')
      .option('--provider <name>', "only this provider's endpoints")
      .option('--account <id>', "only this account's endpoints")
      .action(async (o: { provider?: string; account?: string }) => {
        const list = await cli.client().webhooks.endpoints.list(o)
        cli.print(list, () =>
          list.length
            ? list
                .map(
                  (e) =>
                    `${e.id}  ${e.provider} (${e.account}) → ${e.url}  events ${e.events.join(', ')}  [${e.source}]`,
                )
                .join('\n')
            : 'no endpoints',
        )
      }),
    'standin webhooks endpoints list --provider stripe',
  )
  example(
    endpoints
      .command('remove <id>')
      .description('Remove an endpoint')
      .action(async (id: string) =>
        cli.print(await cli.client().webhooks.endpoints.remove(id), () => `removed ${id}`),
      ),
    'standin webhooks endpoints remove we_1',
  )

  example(
    cli.program
      .command('deliveries')
      .description('Webhook deliveries with their attempts, newest first')
      .option('--provider <name>', "only this provider's deliveries")
      .option('--status <status>', 'pending, retrying, delivered or failed')
      .option('--event-type <type>', 'only deliveries of this event type')
      .option('--limit <n>', 'how many', number({ int: true, min: 1, max: 1000 }), 20)
      .action(async (o: { provider?: string; status?: 'failed'; eventType?: string; limit: number }) => {
        const list = await cli.client().webhooks.deliveries.list(o)
        cli.print(list, () => (list.length ? list.map(deliveryLine).join('\n') : 'no deliveries'))
      }),
    'standin deliveries --provider stripe --status failed',
  )
  example(
    cli.program
      .command('redeliver <deliveryId>')
      .description('Send a delivery’s event again now')
      .action(async (id: string) =>
        cli.print(await cli.client().webhooks.deliveries.redeliver(id), () => `redelivering ${id}`),
      ),
    'standin redeliver whd_1',
  )
  example(
    cli.program
      .command('trigger <provider> <event>')
      .description(
        'Send an event on demand, like `stripe trigger`; prints the event id and the deliveries it caused (standin providers lists triggers)',
      )
      .option('--account <id>', 'the account the event belongs to', 'default')
      .option(
        '--param <key=value>',
        'a trigger parameter (repeatable); numbers and JSON are read as such',
        pairs(looseValue),
      )
      .action(
        async (provider: string, event: string, o: { account: string; param?: Record<string, unknown> }) => {
          const client = cli.client()
          const [newest] = await client.webhooks.events.list({ provider, limit: 1 })
          await client.webhooks.events.send({
            provider,
            event,
            account: o.account,
            params: o.param ?? {},
          })
          const recent = await client.webhooks.events.list({ provider, limit: 100 })
          const cut = recent.findIndex((e) => e.id === newest?.id)
          const emitted = (cut < 0 ? recent : recent.slice(0, cut)).reverse()
          const caused = await Promise.all(
            emitted.map(async (e) => ({
              event: e,
              deliveries: await client.webhooks.deliveries.list({ eventId: e.id }),
            })),
          )
          cli.print({ events: caused }, () =>
            caused.length
              ? caused
                  .map(({ event: e, deliveries }) =>
                    [
                      `${e.id}  ${e.type}  (${e.provider}, account ${e.account})`,
                      ...(deliveries.length
                        ? deliveries.map((d) => `  delivery ${d.id} → ${d.url}  ${d.status}`)
                        : [
                            `  no deliveries: no endpoint receives ${e.provider} events (standin webhooks endpoints add)`,
                          ]),
                    ].join('\n'),
                  )
                  .join('\n')
              : `${event}: ran, and emitted no event`,
          )
        },
      ),
    'standin trigger stripe payment_intent.succeeded',
    'standin trigger toss payment.done --account merchant_1 --param amount=15000',
  )
}
