// Fuzz phases that bend the protocol (routes, methods, pipelining, closes, control-plane extremes).

import { PROVIDER_NAMES } from './fuzz-hub.ts'
import { int, METHODS, ODD_METHODS, pick, SID, valid } from './fuzz-seeds.ts'
import type { Generator } from './fuzz-wire.ts'
import { rawRequest } from './fuzz-wire.ts'

/** The phases after the payload phases, in order (the order draws from the seeded random, so it is kept). */
export const PROTOCOL_PHASES: { name: string; weight: number; generate: Generator }[] = [
  {
    name: 'unknown routes and methods',
    weight: 20,
    generate: (random, t) => {
      const v = valid(t.name)
      const segments = Array.from({ length: int(random, 0, 6) }, () =>
        pick(random, [
          'v1',
          'v2',
          'x',
          '..',
          '.',
          '',
          ':id',
          '*',
          '%2F',
          'a'.repeat(int(random, 1, 3000)),
          'Accounts',
          SID,
          '_standin',
        ]),
      )
      const path =
        random() < 0.3 ? v.path + pick(random, ['/', '//', '/x', '.json', '?']) : `/${segments.join('/')}`
      const method = random() < 0.4 ? pick(random, ODD_METHODS) : pick(random, METHODS)
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest(method, path, v.headers, method === 'GET' ? '' : v.body)],
      }
    },
  },
  {
    name: 'pipelining',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const n = int(random, 2, 8)
      const chunks = Array.from({ length: n }, (_, i) =>
        rawRequest(i % 2 ? 'GET' : v.method, i % 3 ? v.path : '/nope', v.headers, i % 2 ? '' : v.body, {
          close: i === n - 1,
        }),
      )
      return {
        target: t.name,
        port: t.port,
        chunks: random() < 0.5 ? [Buffer.concat(chunks)] : chunks,
        requests: n,
      }
    },
  },
  {
    name: 'abrupt closes',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const full = rawRequest(v.method, v.path, v.headers, v.body)
      return {
        target: t.name,
        port: t.port,
        chunks: [full.subarray(0, int(random, 0, full.length - 1))],
        abortAfterWrite: true,
        mayClose: true,
      }
    },
  },
  {
    name: 'extreme control-plane values',
    weight: 10,
    generate: (random, t) => {
      const huge = pick(random, [
        1e308,
        -1e308,
        8.64e15 + 1,
        -8.64e15 - 1,
        2 ** 53,
        Number.MAX_SAFE_INTEGER,
        -1,
        0,
        1.5,
      ])
      const cases: [string, string, unknown][] = [
        ['POST', '/_standin/clock/set', { time: huge }],
        [
          'POST',
          '/_standin/clock/set',
          { time: pick(random, ['+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', 'soon', '']) },
        ],
        [
          'POST',
          '/_standin/clock/advance',
          { by: pick(random, [huge, '99999999999999d', '1e308', '-1d', '3d', 'NaN']) },
        ],
        ['POST', '/_standin/clock/scale', { scale: huge }],
        [
          'GET',
          `/_standin/journal?limit=${huge}&since=${huge}&afterSeq=${huge}&provider=${pick(random, ['stripe', 'nope', ''])}`,
          undefined,
        ],
        [
          'GET',
          `/_standin/webhooks/deliveries/wait?timeoutMs=${pick(random, [0, 1, huge])}&eventId=none`,
          undefined,
        ],
        [
          'GET',
          `/_standin/messages?provider=${pick(random, ['twilio', 'x', '__proto__'])}&limit=${huge}`,
          undefined,
        ],
        [
          'POST',
          '/_standin/faults',
          {
            match: { provider: pick(random, PROVIDER_NAMES), operation: 'nope' },
            effect: { type: 'status', status: huge },
          },
        ],
        [
          'POST',
          '/_standin/faults',
          { match: { body: { 'a.b': { regex: '(a+)+$' } } }, effect: { type: 'latency', ms: huge } },
        ],
        [
          'POST',
          '/_standin/webhooks/rules',
          { match: { provider: 'stripe' }, effect: { type: 'delay', ms: huge } },
        ],
        [
          'POST',
          '/_standin/presets/webhook-retry-storm/apply',
          { vars: { provider: pick(random, ['nope', '__proto__', '\u0024{provider}']) } },
        ],
        [
          'POST',
          '/_standin/webhooks/events',
          {
            provider: pick(random, PROVIDER_NAMES),
            event: 'x',
            payload: { id: 'evt_fuzz' },
            account: 'fuzz',
          },
        ],
        ['POST', '/_standin/reset', { provider: pick(random, ['nope', '__proto__', 'constructor']) }],
        ['GET', `/_standin/faults/${'f'.repeat(int(random, 1, 5000))}`, undefined],
        ['DELETE', '/_standin/journal?provider=constructor', undefined],
      ]
      const [method, path, body] = pick(random, cases)
      const text = body === undefined ? '' : JSON.stringify(body)
      return {
        target: t.name,
        port: t.port,
        chunks: [
          rawRequest(method, path, body === undefined ? {} : { 'content-type': 'application/json' }, text),
        ],
      }
    },
  },
]
