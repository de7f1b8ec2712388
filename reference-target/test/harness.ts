import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import request from 'supertest'
import { extractCode } from '../../simulators/core/messages.ts'
import { type RunningProviders, startProviders } from '../../simulators/core/testing.ts'
import { allProviders } from '../../simulators/hub/providers.ts'
import { accountPublicKey } from '../../simulators/sendgrid/webhooks.ts'
import { buildReferenceApp, type ReferenceApp } from '../src/app.ts'
import { type Config, type ConfigInput, makeConfig } from '../src/config.ts'
import { type Database, migrate, pgliteDatabase } from '../src/db/database.ts'
import type { DefectName } from '../src/defects.ts'

export type Sims = RunningProviders

/** Every simulator in-process on ephemeral ports. */
export function startSims(): Promise<Sims> {
  return startProviders(allProviders)
}

/** PostgreSQL when REFERENCE_TEST_DATABASE_URL or DATABASE_URL is set, else PGlite in memory. */
export const adminDatabaseUrl =
  process.env.REFERENCE_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined
export const databaseKind = adminDatabaseUrl ? 'postgres' : 'pglite'

export interface TestDb {
  databaseUrl?: string
  dataDir?: string
  /** An open database to inject (a clone of the migrated PGlite template). */
  database?: Database
  drop(): Promise<void>
}

let template: Promise<PGlite> | undefined
/** initdb in WASM is slow: each file migrates one PGlite once and clones it per app. */
async function pgliteClone(): Promise<Database> {
  template ??= (async () => {
    const lite = await PGlite.create()
    await migrate(pgliteDatabase(lite))
    return lite
  })()
  return pgliteDatabase((await (await template).clone()) as PGlite)
}

/** A fresh, empty database: a new PostgreSQL database on the test server, or a PGlite dir when `file` is asked. */
export async function freshDb(options: { file?: boolean } = {}): Promise<TestDb> {
  if (adminDatabaseUrl) {
    const name = `rt_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: adminDatabaseUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(adminDatabaseUrl)
    url.pathname = `/${name}`
    return {
      databaseUrl: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: adminDatabaseUrl })
        await c.connect()
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await c.end()
      },
    }
  }
  if (options.file) {
    const dir = await mkdtemp(join(tmpdir(), 'rt-pglite-'))
    return { dataDir: dir, drop: () => rm(dir, { recursive: true, force: true }) }
  }
  const database = await pgliteClone()
  return { database, drop: () => database.close() }
}

/** Each app gets its own provider accounts, so parallel apps never see each other's webhooks. */
export function freshKeys() {
  const tag = randomBytes(5).toString('hex')
  return {
    tag,
    twilio: { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: `tok_${tag}` },
    aligo: { userId: `user${tag}`, key: `key${tag}${'0'.repeat(20)}` },
    sendgrid: {
      apiKey: `SG.sg${tag}.secret`,
      account: `sg${tag}`,
      webhookPublicKey: accountPublicKey(`sg${tag}`),
    },
    stripe: { secretKey: `sk_test_${tag}`, webhookSecret: `whsec_${tag}` },
    razorpay: { keyId: `rzp_test_${tag}`, keySecret: `secret_${tag}`, webhookSecret: `rzpwh_${tag}` },
    toss: { clientKey: `test_ck_${tag}`, secretKey: `test_sk_${tag}`, account: `test_${tag}` },
  }
}
export type Keys = ReturnType<typeof freshKeys>

export interface TestApp {
  ref: ReferenceApp
  url: string
  config: Config
  keys: Keys
  sims: Sims
  http: ReturnType<typeof request.agent>
  close(): Promise<void>
}

export interface AppOptions {
  defects?: DefectName[]
  config?: Partial<ConfigInput>
  db?: TestDb
  keys?: Keys
  /** Register this app's webhook URLs with the simulators (default true). */
  webhooks?: boolean
}

/** Builds and starts the reference target against the simulators, on an ephemeral port. */
export async function startApp(sims: Sims, options: AppOptions = {}): Promise<TestApp> {
  const keys = options.keys ?? freshKeys()
  const ownDb = options.db ? undefined : await freshDb()
  const db = options.db ?? ownDb!
  const config = makeConfig({
    port: 0,
    logLevel: 'silent',
    testClock: true,
    databaseUrl: db.databaseUrl,
    dataDir: db.dataDir,
    defects: options.defects ?? [],
    twilio: { baseUrl: sims.url('twilio'), ...keys.twilio },
    aligo: { baseUrl: sims.url('aligo'), ...keys.aligo },
    sendgrid: {
      baseUrl: sims.url('sendgrid'),
      apiKey: keys.sendgrid.apiKey,
      webhookPublicKey: keys.sendgrid.webhookPublicKey,
    },
    stripe: { baseUrl: sims.url('stripe'), ...keys.stripe },
    razorpay: { baseUrl: sims.url('razorpay'), ...keys.razorpay },
    toss: { baseUrl: sims.url('toss'), clientKey: keys.toss.clientKey, secretKey: keys.toss.secretKey },
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 800, timeoutMs: 1500 },
    jobs: { pollMs: 25 },
    reconcileAfterMs: 60_000,
    ...options.config,
  })
  const ref = await buildReferenceApp(config, db.database ? { db: db.database } : {})
  const url = await ref.listen()
  const endpoints = options.webhooks !== false ? registerWebhooks(sims, keys, url) : []
  return {
    ref,
    url,
    config,
    keys,
    sims,
    http: request.agent(url),
    close: async () => {
      for (const id of endpoints) sims.core.webhooks.removeEndpoint(id)
      await ref.close()
      if (ownDb) await ownDb.drop()
    },
  }
}

/** Registers this app's webhook URLs with the simulators, as a team does in each provider's dashboard; answers the endpoint ids. */
export function registerWebhooks(sims: Sims, keys: Keys, url: string): string[] {
  const hooks = sims.core.webhooks
  const add = (provider: string, account: string, path: string, secret?: string) =>
    hooks.addEndpoint({ provider, account, url: `${url}${path}`, secret, source: 'config' }).id
  return [
    add('stripe', keys.stripe.secretKey, '/webhooks/stripe', keys.stripe.webhookSecret),
    add('razorpay', keys.razorpay.keyId, '/webhooks/razorpay', keys.razorpay.webhookSecret),
    add('toss', keys.toss.account, '/webhooks/toss', 'unused'),
    add('sendgrid', keys.sendgrid.account, '/webhooks/sendgrid'),
  ]
}

let phoneSeq = 0
/** A unique phone per test: Korean (+82 10…) or US (+1 415…). */
export function phone(country: 'kr' | 'us' = 'us'): string {
  const n = String((Date.now() * 1000 + process.pid + ++phoneSeq * 7919) % 100_000_000).padStart(8, '0')
  return country === 'kr' ? `+8210${n}` : `+1415${n.slice(1)}`
}

/**
 * Waits until nothing is left to do now, instead of sleeping: standin's due
 * deliveries answered (core.settled), then the app's due jobs run (webhook
 * processing), twice, since a job may call a provider that sends another event.
 */
export async function settled(t: Pick<TestApp, 'sims' | 'ref'>): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await t.sims.core.settled()
    await t.ref.worker.drain()
  }
}

/** Polls `fn` until it returns a truthy value (jobs and webhooks are asynchronous). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 8000, stepMs = 40): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: T | undefined
  let lastError: unknown
  while (Date.now() < end) {
    try {
      last = await fn()
      if (last) return last
    } catch (error) {
      lastError = error
    }
    await new Promise((r) => setTimeout(r, stepMs))
  }
  throw new Error(
    `condition not met in ${timeoutMs}ms; last value ${JSON.stringify(last)} ${lastError ?? ''}`,
  )
}

/** Signs a phone up through the real OTP flow and answers the bearer token. */
export async function signUp(t: TestApp, options: { phone?: string; profile?: boolean; name?: string } = {}) {
  const number = options.phone ?? phone()
  const since = t.sims.core.clock.now()
  const sent = await t.http.post('/v1/auth/otp').send({ phone: number })
  if (sent.status !== 202) throw new Error(`otp send: ${sent.status} ${JSON.stringify(sent.body)}`)
  const sms = await t.sims.core.inbox.waitFor({ to: number, channel: 'sms', since }, 5000)
  const code = sms && extractCode(sms.text)
  if (!code) throw new Error(`no OTP SMS reached ${number}`)
  const verified = await t.http.post('/v1/auth/otp/verify').send({ phone: number, code })
  if (verified.status !== 200)
    throw new Error(`otp verify: ${verified.status} ${JSON.stringify(verified.body)}`)
  const token = verified.body.token as string
  const userId = verified.body.user.id as string
  if (options.profile !== false) {
    const p = await t.http
      .put('/v1/me/profile')
      .set('authorization', `Bearer ${token}`)
      .send({
        displayName: options.name ?? `User ${number.slice(-4)}`,
        birthDate: '1995-04-02',
        gender: 'other',
        email: `u${number.slice(1)}@example.com`,
      })
    if (p.status !== 200) throw new Error(`profile: ${p.status} ${JSON.stringify(p.body)}`)
  }
  return { token, userId, phone: number, auth: { authorization: `Bearer ${token}` } }
}
export type User = Awaited<ReturnType<typeof signUp>>

/** Test-only: put credits straight into the ledger (for flows that only spend). */
export async function grant(t: TestApp, userId: string, credits: number) {
  await t.ref.db.transaction(async (tx) => {
    const { applyCredits } = await import('../src/flows/credits.ts')
    await applyCredits(tx, {
      userId,
      delta: credits,
      reason: 'test-grant',
      ref: `test:${randomBytes(6).toString('hex')}`,
      at: t.ref.ctx.clock.now(),
    })
  })
}

export async function balance(t: TestApp, user: User): Promise<number> {
  const r = await t.http.get('/v1/credits').set(user.auth)
  return r.body.balance as number
}

/** Switches defects on the running app for the duration of `fn`. */
export async function withDefects<T>(t: TestApp, names: DefectName[], fn: () => Promise<T>): Promise<T> {
  t.ref.ctx.defects.replace(names)
  try {
    return await fn()
  } finally {
    t.ref.ctx.defects.replace([])
  }
}

/** Overrides OTP limits on the running app for the duration of `fn`. */
export async function withOtpConfig<T>(
  t: TestApp,
  patch: Partial<Config['otp']>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = { ...t.ref.ctx.config.otp }
  Object.assign(t.ref.ctx.config.otp, patch)
  try {
    return await fn()
  } finally {
    Object.assign(t.ref.ctx.config.otp, saved)
  }
}

/** Moves standin's virtual clock and the app's test clock together, as a journey does. */
export async function advance(t: TestApp, ms: number): Promise<void> {
  // The app first: events standin emits while its clock moves are then never "from the future" for the app.
  const res = await t.http
    .post('/_test/clock')
    .send({ now: new Date(t.sims.core.clock.now() + ms).toISOString() })
  if (res.status !== 200) throw new Error(`test clock: ${res.status} ${JSON.stringify(res.body)}`)
  t.sims.core.clock.advance(ms)
}
