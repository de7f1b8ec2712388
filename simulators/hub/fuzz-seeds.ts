// The fuzzer's raw material: a valid request per provider to mutate, odd methods and types, seeded picks.
import type { Random } from '../core/random.ts'

export const SID = `AC${'f'.repeat(32)}`

/** A valid request per provider, the seeds the mutations start from. */
export const VALID: Record<
  string,
  { method: string; path: string; headers: Record<string, string>; body: string }
> = {
  twilio: {
    method: 'POST',
    path: `/2010-04-01/Accounts/${SID}/Messages.json`,
    headers: {
      authorization: `Basic ${Buffer.from(`${SID}:token`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'To=%2B14155550100&From=%2B14155550199&Body=fuzz',
  },
  aligo: {
    method: 'POST',
    path: '/send/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'key=fuzzkey00000000000000000000&user_id=fuzz&sender=01000000000&receiver=01012345678&msg=fuzz',
  },
  sendgrid: {
    method: 'POST',
    path: '/v3/mail/send',
    headers: { authorization: 'Bearer SG.fuzz.secret', 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: 'to@example.com' }] }],
      from: { email: 'from@example.com' },
      subject: 'fuzz',
      content: [{ type: 'text/plain', value: 'fuzz' }],
    }),
  },
  stripe: {
    method: 'POST',
    path: '/v1/customers',
    headers: { authorization: 'Bearer sk_test_fuzz', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=fuzz%40example.com&metadata[order]=o_1',
  },
  razorpay: {
    method: 'POST',
    path: '/v1/orders',
    headers: {
      authorization: `Basic ${Buffer.from('rzp_test_fuzz:secret').toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ amount: 500, currency: 'INR', receipt: 'r_1' }),
  },
  toss: {
    method: 'POST',
    path: '/v1/payments/confirm',
    headers: {
      authorization: `Basic ${Buffer.from('test_sk_fuzz:').toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ paymentKey: 'pk_1', orderId: 'order-0001', amount: 1000 }),
  },
}

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
export const ODD_METHODS = [
  'PROPFIND',
  'MOVE',
  'TRACE',
  'COPY',
  'LOCK',
  'MKCOL',
  'PURGE',
  'SEARCH',
  'FOO',
  'get',
]
export const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  '',
  ';;;',
  'application/x-www-form-urlencoded; charset=euc-kr',
]
/** Bracket keys at the edge of what counts as an array index (leading zeros, signs, exponents, the cap). */
export const ODD_INDEXES = [
  'metadata[00]=x',
  'items[01][price]=p',
  'a[0]0=1',
  'a[9999]=1',
  'a[10000]=1',
  'a[-1]=1',
  'a[1e3]=1',
  'a[%201]=1',
  'a[0x1]=1',
  'a[1][]=1&a[1][0]=2',
  'a[]=1&a[00]=2&a[0]=3',
]
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
]

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}
export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}
export function randomBytes(random: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

export const valid = (name: string) => VALID[name] ?? VALID.stripe!

export function deepJson(random: Random, depth: number): string {
  const open = random() < 0.5
  return open ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}
