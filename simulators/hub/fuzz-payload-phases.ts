// Fuzz phases that mutate what a request carries (bodies, nesting, keys, encodings, sizes).

import {
  CONTENT_TYPES,
  deepJson,
  int,
  ODD_INDEXES,
  PROTO_KEYS,
  pick,
  randomBytes,
  valid,
} from './fuzz-seeds.ts'
import type { Generator } from './fuzz-wire.ts'
import { rawRequest } from './fuzz-wire.ts'

/** The first phases of a run, in order (the order draws from the seeded random, so it is kept). */
export const PAYLOAD_PHASES: { name: string; weight: number; generate: Generator }[] = [
  {
    name: 'malformed JSON and forms',
    weight: 20,
    generate: (random, t) => {
      const v = valid(t.name)
      const kinds = [
        () => v.body.slice(0, int(random, 0, v.body.length)),
        () => `${v.body}${pick(random, ['}', ']', ',', '"', '\\', '&&&', '=', '%', '[', '[]=1'])}`,
        () =>
          pick(random, ['{', '[', '{"a":}', 'null', 'true', '1e999', '"x"', '{"a":1,}', "{'a':1}", 'NaN']),
        () => randomBytes(random, int(random, 1, 2000)).toString('latin1'),
        () => 'a[b][c]=1&a[b]=2&a=3&a[]=4&[]=5&=6&&a[b][c][d]=7',
        () => `--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz`,
        () => v.body.replace(/[=:]/g, ''),
        () => `${v.body}&${pick(random, ODD_INDEXES)}`,
      ]
      const body = pick(random, kinds)()
      const headers = {
        ...v.headers,
        'content-type': pick(random, [...CONTENT_TYPES, v.headers['content-type'] ?? '']),
      }
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest(pick(random, ['POST', 'PUT', 'PATCH']), v.path, headers, body)],
      }
    },
  },
  {
    name: 'deep and huge nesting',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const depth = pick(random, [100, 1_000, 5_000, 20_000, 100_000])
      const form = random() < 0.3
      const body = form
        ? `a${'[b]'.repeat(Math.min(depth, 20_000))}=1`
        : random() < 0.8
          ? deepJson(random, depth)
          : JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])))
      const headers = {
        ...v.headers,
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      }
      return { target: t.name, port: t.port, chunks: [rawRequest('POST', v.path, headers, body)] }
    },
  },
  {
    name: 'prototype-pollution keys',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const key = pick(random, PROTO_KEYS)
      const json = random() < 0.5
      const body = json
        ? `{"${key}":{"polluted":"yes","constructor":{"prototype":{"polluted":"yes"}}},"metadata":{"${key}":{"x":1}}}`
        : `${key}[polluted]=yes&constructor[prototype][polluted]=yes&metadata[${key}][x]=1&${encodeURIComponent(key)}=1`
      const headers = {
        ...v.headers,
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      }
      const query = random() < 0.5 ? `?${key}[polluted]=1&a[${key}][b]=1` : ''
      return { target: t.name, port: t.port, chunks: [rawRequest(v.method, v.path + query, headers, body)] }
    },
  },
  {
    name: 'invalid encodings',
    weight: 10,
    generate: (random, t) => {
      const v = valid(t.name)
      const bad = [
        () => rawRequest(v.method, `${v.path}%ZZ%`, v.headers, v.body),
        () => rawRequest(v.method, `${v.path}?a=%E0%A4%A&b=%FF%FE&c=%00`, v.headers, v.body),
        () =>
          rawRequest(
            v.method,
            v.path,
            v.headers,
            Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
          ),
        () =>
          rawRequest(
            v.method,
            v.path,
            { ...v.headers, 'content-encoding': pick(random, ['gzip', 'br', 'deflate', 'x']) },
            v.body,
          ),
        () =>
          rawRequest(
            v.method,
            v.path,
            { ...v.headers, 'transfer-encoding': 'chunked' },
            `zz\r\n${v.body}\r\n0\r\n\r\n`,
            { contentLength: null },
          ),
        () =>
          rawRequest(v.method, v.path, { ...v.headers, 'content-length': '-1' }, v.body, {
            contentLength: null,
          }),
        () => rawRequest(v.method, v.path, { ...v.headers, 'x-weird': 'a\u0001b' }, v.body),
        () =>
          Buffer.concat([
            Buffer.from(
              `${v.method} ${v.path} HTTP/1.1\r\nHost: x\r\nX: \u00ff\u00fe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
              'latin1',
            ),
          ]),
        () => rawRequest(v.method, v.path, v.headers, randomBytes(random, int(random, 1, 512))),
        () =>
          rawRequest(v.method, `/${encodeURIComponent('\u{1F600}')}/../..%2f..%2fetc/passwd`, v.headers, ''),
      ]
      return { target: t.name, port: t.port, chunks: [pick(random, bad)()] }
    },
  },
  {
    name: 'huge headers and bodies',
    weight: 4,
    generate: (random, t) => {
      const v = valid(t.name)
      const kind = random()
      if (kind < 0.4)
        return {
          target: t.name,
          port: t.port,
          chunks: [
            rawRequest(
              v.method,
              v.path,
              { ...v.headers, 'x-big': 'a'.repeat(int(random, 17_000, 80_000)) },
              v.body,
            ),
          ],
        }
      if (kind < 0.55) {
        const many: Record<string, string> = { ...v.headers }
        for (let i = 0; i < 2_000; i++) many[`x-h${i}`] = 'v'
        return { target: t.name, port: t.port, chunks: [rawRequest(v.method, v.path, many, v.body)] }
      }
      const size = pick(random, [512 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024])
      const body = random() < 0.5 ? Buffer.alloc(size, 0x61) : Buffer.from(`{"blob":"${'x'.repeat(size)}"}`)
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest('POST', v.path, { ...v.headers, 'content-type': 'application/json' }, body)],
        mayClose: true,
      }
    },
  },
]
