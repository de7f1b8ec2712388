import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  balance,
  eventually,
  freshDb,
  freshKeys,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  type TestDb,
} from './harness.ts'
import { buyStripe } from './pay.ts'

/**
 * A restart must lose no payment and no credit: the database (file-backed
 * PGlite, or PostgreSQL) outlives the process, and so do the stored webhook
 * events and the job table.
 */
let sims: Sims
let db: TestDb
const keys = freshKeys()
const apps: TestApp[] = []
beforeAll(async () => {
  sims = await startSims()
  db = await freshDb({ file: true })
}, 60_000)
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => {})
  await sims?.close()
  await db?.drop()
})

async function boot(options: { port?: number; worker?: boolean } = {}) {
  const app = await startApp(sims, {
    db: { ...db, database: undefined, drop: async () => {} },
    keys,
    config: { port: options.port ?? 0, jobs: { pollMs: 25, autostart: options.worker ?? true } },
  })
  apps.push(app)
  return app
}

describe('restart mid-flow', () => {
  it('grants exactly once when the app dies after storing the webhook but before processing it', async () => {
    const first = await boot({ worker: false })
    const user = await signUp(first)
    const charge = await buyStripe(first, user, 'medium')
    expect(charge.status).toBe(201)
    await eventually(
      async () =>
        (
          await first.ref.db.query(
            `SELECT 1 FROM webhook_events WHERE type = 'payment_intent.succeeded' AND payload::text LIKE $1`,
            [`%${charge.body.id}%`],
          )
        ).length > 0,
    )
    expect(await balance(first, user)).toBe(0)
    await first.close()

    const second = await boot()
    await eventually(async () => (await balance(second, { ...user })) === 120)
    // A late duplicate delivery after the restart changes nothing.
    const [event] = await second.ref.db.query<{ raw: string }>(
      `SELECT raw FROM webhook_events WHERE type = 'payment_intent.succeeded' AND payload::text LIKE $1`,
      [`%${charge.body.id}%`],
    )
    expect(event).toBeDefined()
    await settled(second)
    expect(await balance(second, user)).toBe(120)
    const rows = await second.ref.db.query('SELECT 1 FROM credit_ledger WHERE ref = $1', [
      `payment:${charge.body.id}`,
    ])
    expect(rows).toHaveLength(1)
    await second.close()
  }, 240_000)

  it('grants exactly once when the app is down between the charge and the webhook', async () => {
    const first = await boot()
    const port = Number(new URL(first.url).port)
    const user = await signUp(first)
    // Hold Stripe's webhooks for this account for a virtual minute, then kill the app after the charge.
    const rule = sims.core.webhooks.addRule({
      match: { provider: 'stripe', account: keys.stripe.secretKey, eventType: 'payment_intent.succeeded' },
      effect: { type: 'delay', ms: 60_000 },
      times: 1,
    })
    const charge = await buyStripe(first, user, 'small')
    expect(charge.status).toBe(201)
    await first.close()

    const second = await boot({ port })
    sims.core.clock.advance(61_000)
    await eventually(async () => (await balance(second, user)) === 50, 20_000)
    await settled(second)
    expect(await balance(second, user)).toBe(50)
    sims.core.webhooks.removeRule(rule.id)
  }, 240_000)
})
