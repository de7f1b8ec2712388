import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { injectFetch } from '../core/control/client.ts'
import { buildControlApp } from '../core/control/server.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { testkit } from '../testkit/index.ts'
import { buildProgram, runCli } from './cli.ts'
import { configFromEnv, resolveConfig } from './config.ts'
import { startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/** The CLI as a newcomer meets it: run in-process against an in-process hub (testkit), its output read back. */
let sims: RunningProviders
let app: ReturnType<typeof buildControlApp>

beforeAll(async () => {
  sims = await startProviders([testkit], { timeScale: 0 })
  app = buildControlApp(sims.core, new Map())
})
afterAll(async () => {
  await app.close()
  await sims.close()
})

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(['--url', 'http://control.local', ...argv], {
    out: (t) => {
      out += t
    },
    err: (t) => {
      err += t
    },
    fetch: injectFetch(app),
  })
  return { code, out, err }
}

const createWidget = async () => {
  const response = await fetch(`${sims.url('testkit')}/v1/widgets`, {
    method: 'POST',
    headers: { authorization: 'Bearer tk_cli', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'w' }),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as { id?: string } }
}

function commands(root: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return root.commands.flatMap((c) => [
    { path: [...path, c.name()], command: c },
    ...commands(c, [...path, c.name()]),
  ])
}

describe('help', () => {
  const program = buildProgram({ out: () => undefined, err: () => undefined })
  const own = commands(program)

  it('covers the commands a newcomer looks for', () => {
    const names = own.map(({ path }) => path.join(' '))
    for (const name of [
      'clock set',
      'faults show',
      'webhooks rules add',
      'webhooks rules list',
      'webhooks rules remove',
      'webhooks endpoints add',
      'webhooks endpoints list',
      'webhooks endpoints remove',
    ])
      expect(names).toContain(name)
  })

  it.each(own.map(({ path }) => [path.join(' ')]))(
    'standin %s: a description per option, and an example',
    async (name) => {
      const { command } = own.find(({ path }) => path.join(' ') === name)!
      expect(command.description(), 'command description').not.toBe('')
      for (const option of command.options) expect(option.description, option.flags).not.toBe('')
      const help = await cli(...name.split(' '), '--help')
      expect(help.code).toBe(0)
      expect(help.out).toMatch(/Examples?:\n {2}(\$ )?standin /)
    },
  )
})

describe('bad flag values: one plain line naming the flag as typed', () => {
  it.each([
    [
      ['faults', 'add', '--provider', 'testkit', '--latency', 'abc'],
      "'--latency <ms|min-max|p50:p99>' argument 'abc'",
    ],
    [['faults', 'add', '--rule', '{bad'], "'--rule <json>' argument '{bad'"],
    [['inbox', '+821012345678', '--wait', 'abc'], "'--wait <ms>' argument 'abc'"],
    [
      ['faults', 'add', '--provider', 'testkit', '--status', '503', '--times', '0'],
      "'--times <n>' argument '0'",
    ],
    [
      ['faults', 'add', '--provider', 'testkit', '--reset', '--probability', '2'],
      "'--probability <p>' argument '2'",
    ],
    [
      ['faults', 'add', '--provider', 'testkit', '--effect', 'status', '--param', 'body={x'],
      "'--param <key=value>'",
    ],
    [['clock', 'set', 'yesterday'], "argument 'time'"],
    [['journal', '--limit', 'lots'], "'--limit <n>' argument 'lots'"],
  ])('%j', async (argv, named) => {
    const r = await cli(...argv)
    expect(r.code).toBe(1)
    expect(r.err).toContain(named)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('a refusal from the hub names the flag the user typed, not the rule field', async () => {
    const r = await cli('faults', 'add', '--provider', 'testkit', '--error', 'no_such_error')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^standin: .*no_such_error.*\(--error\)|^standin: .*--param error/)
    const two = await cli('faults', 'add', '--provider', 'testkit', '--reset', '--status', '500')
    expect(two.err).toContain('not --status and --reset')
  })

  it('configuration errors name the flag and the variable in kebab / env style', () => {
    expect(() => resolveConfig({ timeScale: 'abc' }, allProviders)).toThrow(
      /--time-scale \(STANDIN_TIME_SCALE\)/,
    )
    expect(() => resolveConfig({ ports: { stripe: 'x' } }, allProviders)).toThrow(
      /--stripe-port \(STANDIN_STRIPE_PORT\)/,
    )
  })
})

describe('faults', () => {
  it('takes any effect as --effect <type> --param k=v, reading numbers and JSON', async () => {
    const r = await cli(
      '--json',
      'faults',
      'add',
      '--provider',
      'testkit',
      '--effect',
      'status',
      '--param',
      'status=418',
      '--param',
      'body={"error":"teapot"}',
    )
    expect(r.err).toBe('')
    const rule = JSON.parse(r.out)
    expect(rule.effect).toEqual({ type: 'status', status: 418, body: { error: 'teapot' } })
    const latency = JSON.parse(
      (
        await cli(
          '--json',
          'faults',
          'add',
          '--provider',
          'testkit',
          '--effect',
          'latency',
          '--param',
          'ms=250',
        )
      ).out,
    )
    expect(latency.effect).toMatchObject({ type: 'latency', ms: 250 })
    await cli('faults', 'clear')
  })

  it('keeps the shortcut flags, shows one rule, and marks used-up rules exhausted', async () => {
    const added = await cli(
      '--json',
      'faults',
      'add',
      '--provider',
      'testkit',
      '--operation',
      'widgets.create',
      '--status',
      '503',
      '--times',
      '1',
      '--name',
      'once',
    )
    const rule = JSON.parse(added.out)
    expect(rule).toMatchObject({ effect: { type: 'status', status: 503 }, times: 1, name: 'once' })
    expect((await cli('faults', 'list')).out).toMatch(new RegExp(`${rule.id}\\s+live`))
    expect((await createWidget()).status).toBe(503)
    expect((await cli('faults', 'list')).out).toMatch(new RegExp(`${rule.id}\\s+exhausted`))
    const shown = await cli('faults', 'show', rule.id)
    expect(shown.out).toContain(`${rule.id} (once)  exhausted`)
    expect(shown.out).toContain('counts  seen 1, fired 1')
    expect((await cli('faults', 'show', 'fault_nope')).err).toMatch(/^standin: No fault rule 'fault_nope'/)
    await cli('faults', 'clear')
  })
})

describe('webhooks', () => {
  it('adds, lists and removes endpoints and rules', async () => {
    const endpoint = await cli(
      '--json',
      'webhooks',
      'endpoints',
      'add',
      'testkit',
      'http://127.0.0.1:9/hooks',
      '--event',
      'widget.shipped',
    )
    expect(endpoint.err).toBe('')
    const { id } = JSON.parse(endpoint.out)
    expect((await cli('webhooks', 'endpoints', 'list', '--provider', 'testkit')).out).toContain(
      `${id}  testkit (*) → http://127.0.0.1:9/hooks`,
    )
    const rule = JSON.parse(
      (
        await cli(
          '--json',
          'webhooks',
          'rules',
          'add',
          '--provider',
          'testkit',
          '--event-type',
          'widget.*',
          '--effect',
          'duplicate',
          '--times',
          '2',
        )
      ).out,
    )
    expect(rule).toMatchObject({
      match: { provider: 'testkit', eventType: 'widget.*' },
      effect: { type: 'duplicate' },
      times: 2,
    })
    expect((await cli('webhooks', 'rules', 'list')).out).toMatch(new RegExp(`${rule.id}\\s+live`))
    expect((await cli('webhooks', 'rules', 'remove', rule.id)).out).toBe(`removed ${rule.id}\n`)
    expect((await cli('webhooks', 'rules', 'list')).out).toBe('no webhook rules\n')
    expect((await cli('webhooks', 'endpoints', 'remove', id)).code).toBe(0)
    expect((await cli('webhooks', 'endpoints', 'list', '--provider', 'testkit')).out).toBe('no endpoints\n')
  })

  it('trigger prints the event id and the deliveries it caused, not the raw result', async () => {
    await cli('webhooks', 'endpoints', 'add', 'testkit', 'http://127.0.0.1:9/t')
    const r = await cli('trigger', 'testkit', 'widget.shipped')
    expect(r.err).toBe('')
    const [event] = await sims.core.webhooks.listEvents({ provider: 'testkit', limit: 1 })
    const [delivery] = sims.core.webhooks.listDeliveries({ eventId: event!.id })
    expect(r.out).toContain(`${event!.id}  widget.shipped  (testkit, account default)`)
    expect(r.out).toContain(`delivery ${delivery!.id} → http://127.0.0.1:9/t`)
    expect(r.out).not.toContain('{')
    const json = JSON.parse((await cli('--json', 'trigger', 'testkit', 'widget.shipped')).out)
    expect(json.events[0].event.type).toBe('widget.shipped')
    expect(json.events[0].deliveries).toHaveLength(1)
    expect(JSON.stringify(json)).not.toContain('"result"')
  })
})

describe('hub commands', () => {
  it('providers lists operations', async () => {
    const r = await cli('providers')
    expect(r.out).toMatch(/operations:\n\s+echo\s/)
    expect(r.out).toMatch(/widgets\.create\s+POST \/v1\/widgets/)
  })

  it('clock set moves virtual time to the given instant', async () => {
    expect((await cli('clock', 'set', '2031-05-01T09:00:00Z')).out).toBe('now 2031-05-01T09:00:00.000Z\n')
    expect((await cli('clock', 'show')).out).toMatch(/^2031-05-01T09:00:00\.000Z/)
  })

  it('reset restarts the seeded id sequence', async () => {
    await cli('reset')
    const first = (await createWidget()).body.id
    await createWidget()
    expect((await cli('reset')).out).toBe('reset\n')
    expect((await createWidget()).body.id).toBe(first)
  })
})

describe('safe to expose', () => {
  it('a hub on 0.0.0.0 without a token does not start', async () => {
    await expect(startHub({ host: '0.0.0.0', port: 0, log: 'silent' })).rejects.toThrow(
      /Refusing to start: host 0\.0\.0\.0 .* --control-token/,
    )
  })

  it('a hub with a token (env STANDIN_CONTROL_TOKEN) guards its control plane; provider ports keep their own auth', async () => {
    const input = { ...configFromEnv({ STANDIN_CONTROL_TOKEN: 'tok_hub' }, allProviders), port: 0 }
    const hub = await startHub({ ...input, providers: ['stripe'], ports: { stripe: 0 }, log: 'silent' })
    try {
      expect((await fetch(`${hub.url}/_standin/health`)).status).toBe(401)
      const ok = await fetch(`${hub.url}/_standin/health`, { headers: { authorization: 'Bearer tok_hub' } })
      expect(ok.status).toBe(200)
      // Stripe answers as Stripe does without a key, not with standin's 401.
      const stripe = await fetch(`${hub.providerUrls.stripe}/v1/customers`)
      expect(stripe.status).toBe(401)
      expect(JSON.stringify(await stripe.json())).not.toContain('STANDIN_UNAUTHORIZED')
      const customers = await fetch(`${hub.providerUrls.stripe}/v1/customers`, {
        headers: { authorization: 'Bearer sk_test_hub' },
      })
      expect(customers.status).toBe(200)
    } finally {
      await hub.close()
    }
  })

  it('the installed command prints one line and no stack for a bad flag', async () => {
    const result = await promisify(execFile)(process.execPath, [
      'bin/standin.js',
      'faults',
      'add',
      '--latency',
      'abc',
    ]).catch((e: { code: number; stderr: string }) => e)
    expect('code' in result ? result.code : 0).toBe(1)
    expect(result.stderr.trim()).toBe(
      "error: option '--latency <ms|min-max|p50:p99>' argument 'abc' is invalid. Expected ms (250), a range (100-900) or percentiles p50:p99 (200:1500).",
    )
  })
})
