import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { signTestkit, testkit } from '../../testkit/index.ts'
import { VirtualClock } from '../clock.ts'
import { IdMinter } from '../random.ts'
import { silentLogger } from '../runtime.ts'
import { getStoreLimit, setStoreLimit } from '../store.ts'
import { type RunningProviders, startProviders } from '../testing.ts'
import { WebhookDispatcher } from './dispatcher.ts'
import { startReceiver } from './receiver.ts'
import type { WebhookDelivery } from './types.ts'

/** The testkit provider retries after 1 s, 5 s and 30 s (virtual): 4 attempts in all. */
let sims: RunningProviders
let receiver: Awaited<ReturnType<typeof startReceiver>>
let failFirst = 0

beforeEach(async () => {
  sims = await startProviders([testkit], { timeScale: 0 }) // frozen: only advance() moves time
  failFirst = 0
  receiver = await startReceiver((n) => (n <= failFirst ? 500 : 200))
  sims.core.webhooks.addEndpoint({
    provider: 'testkit',
    account: '*',
    url: receiver.url,
    secret: 'whsec_test',
    source: 'config',
  })
})
afterEach(async () => {
  await sims.close()
  await receiver.close()
})

const emit = (payload: unknown = { hello: 1 }, type = 'widget.shipped') =>
  sims.core.webhooks.emit('testkit', 'acct', { type, payload })

async function waitForAttempts(eventId: string, attempts: number): Promise<WebhookDelivery> {
  const delivery = await sims.core.webhooks.waitFor({ eventId, minAttempts: attempts }, 3000)
  if (!delivery) throw new Error(`no delivery of ${eventId} reached ${attempts} attempts`)
  return delivery
}

/** Advances virtual time step by step; each advance waits for the real HTTP attempts it starts. */
async function advanceThrough(ms: number[]) {
  for (const step of ms) await sims.core.clock.advanceAsync(step)
}

describe('webhook dispatcher', () => {
  it('delivers once after the receiver fails the first N attempts, recording every attempt', async () => {
    failFirst = 2
    const event = emit()
    await waitForAttempts(event.id, 1)
    await advanceThrough([1_000])
    await waitForAttempts(event.id, 2)
    await advanceThrough([5_000])
    const delivery = await waitForAttempts(event.id, 3)
    expect(delivery.status).toBe('delivered')
    expect(delivery.attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['delivered', 200],
    ])
    expect(receiver.received).toHaveLength(3)
    await advanceThrough([60_000])
    expect(receiver.received).toHaveLength(3) // exactly once after success: no further attempts
  })

  it('a receiver down for the whole schedule leaves the event visibly failed', async () => {
    failFirst = 100
    const event = emit()
    await waitForAttempts(event.id, 1)
    await advanceThrough([1_000, 5_000, 30_000, 3_600_000])
    const delivery = await waitForAttempts(event.id, 4)
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts).toHaveLength(4)
    expect(sims.core.webhooks.listDeliveries({ status: 'failed' }).map((d) => d.eventId)).toContain(event.id)
    expect(sims.core.webhooks.getEvent(event.id)).toBeDefined()
  })

  it('records connection errors as failed attempts', async () => {
    await receiver.close()
    const event = emit()
    const delivery = await waitForAttempts(event.id, 1)
    expect(delivery.attempts[0]).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/ECONNREFUSED/),
    })
    expect(delivery.status).toBe('retrying')
  })

  it('signs each attempt with the provider signer', async () => {
    const event = emit({ signed: true })
    await waitForAttempts(event.id, 1)
    const hook = receiver.received[0]!
    const t = Number(/t=(\d+)/.exec(String(hook.headers['testkit-signature']))![1]) * 1000
    expect(hook.headers['testkit-signature']).toBe(signTestkit('whsec_test', t, hook.body))
  })

  it('redelivers on demand as a manual attempt', async () => {
    const event = emit()
    const first = await waitForAttempts(event.id, 1)
    sims.core.webhooks.redeliver(first.id)
    const again = await waitForAttempts(event.id, 2)
    expect(again.attempts.map((a) => a.trigger)).toEqual(['scheduled', 'manual'])
    expect(receiver.received).toHaveLength(2)
  })
})

describe('webhook rules', () => {
  it('duplicate sends the same event id twice', async () => {
    sims.core.webhooks.addRule({ match: { provider: 'testkit' }, effect: { type: 'duplicate' }, times: 1 })
    const event = emit()
    await waitForAttempts(event.id, 1)
    await sims.core.settled()
    const deliveries = sims.core.webhooks.listDeliveries({ eventId: event.id })
    expect(deliveries).toHaveLength(2)
    expect(receiver.received).toHaveLength(2)
    expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body)
  })

  it('drop loses the first N attempts, then the retry delivers', async () => {
    sims.core.webhooks.addRule({ match: { eventType: 'widget.*' }, effect: { type: 'drop', attempts: 1 } })
    const event = emit()
    const first = await waitForAttempts(event.id, 1)
    expect(first.attempts[0]!.outcome).toBe('dropped')
    expect(receiver.received).toHaveLength(0)
    await advanceThrough([1_000])
    expect((await waitForAttempts(event.id, 2)).status).toBe('delivered')
  })

  it('bad-signature sends a signature that does not verify, only for the first attempt when asked', async () => {
    sims.core.webhooks.addRule({ match: {}, effect: { type: 'bad-signature', attempts: 1 } })
    const event = emit()
    await waitForAttempts(event.id, 1)
    sims.core.webhooks.redeliver(sims.core.webhooks.listDeliveries({ eventId: event.id })[0]!.id)
    await waitForAttempts(event.id, 2)
    const verifies = receiver.received.map((hook) => {
      const t = Number(/t=(\d+)/.exec(String(hook.headers['testkit-signature']))![1]) * 1000
      return hook.headers['testkit-signature'] === signTestkit('whsec_test', t, hook.body)
    })
    expect(verifies).toEqual([false, true])
  })

  it('stale-timestamp signs with an old timestamp', async () => {
    sims.core.webhooks.addRule({ match: {}, effect: { type: 'stale-timestamp', seconds: 3600 } })
    const now = Math.floor(sims.core.clock.now() / 1000)
    await waitForAttempts(emit().id, 1)
    const t = Number(/t=(\d+)/.exec(String(receiver.received[0]!.headers['testkit-signature']))![1])
    expect(now - t).toBeGreaterThanOrEqual(3599)
  })

  it('reorder holds an event until a later one has been delivered', async () => {
    sims.core.webhooks.addRule({ match: { payload: { step: '1' } }, effect: { type: 'reorder' } })
    const first = emit({ step: 1 })
    const second = emit({ step: 2 })
    await waitForAttempts(second.id, 1)
    await waitForAttempts(first.id, 1)
    expect(receiver.received.map((r) => JSON.parse(r.body).step)).toEqual([2, 1])
  })

  it('delay postpones the first attempt in virtual time', async () => {
    sims.core.webhooks.addRule({ match: {}, effect: { type: 'delay', ms: 60_000 } })
    const event = emit()
    await sims.core.settled()
    expect(receiver.received).toHaveLength(0)
    await advanceThrough([60_000])
    expect((await waitForAttempts(event.id, 1)).status).toBe('delivered')
  })

  it('disableOnExhaustion switches the endpoint off once a delivery has used up its schedule', async () => {
    const clock = new VirtualClock({ scale: 0 })
    const dispatcher = new WebhookDispatcher({
      clock,
      ids: new IdMinter(7),
      spec: () => ({ schedule: [1_000], sign: () => ({}), disableOnExhaustion: true }),
      log: silentLogger,
    })
    const failing = await startReceiver(() => 500)
    try {
      const endpoint = dispatcher.addEndpoint({
        provider: 'p',
        account: 'a',
        url: failing.url,
        secret: 's',
        source: 'config',
      })
      const event = dispatcher.emit('p', 'a', { type: 't', payload: {} })
      await dispatcher.waitFor({ eventId: event.id, minAttempts: 1 }, 3000)
      expect(dispatcher.getEndpoint(endpoint.id)?.enabled).toBe(true)
      clock.advance(1_000)
      const done = await dispatcher.waitFor({ eventId: event.id, status: 'failed' }, 3000)
      expect(done?.attempts).toHaveLength(2)
      expect(dispatcher.getEndpoint(endpoint.id)?.enabled).toBe(false)
    } finally {
      clock.clearTimers()
      await failing.close()
    }
  })

  it('rules are validated with the field named', () => {
    expect(() => sims.core.webhooks.addRule({ effect: { type: 'drop' } })).toThrow(/effect.attempts/)
    expect(() => sims.core.webhooks.addRule({ effect: { type: 'explode' } })).toThrow(/effect.type/)
  })
})

describe('webhook dispatcher: duplicates and schedules (issue 10 #7, #8)', () => {
  it('regression: a duplicate follows the original through its lost attempts instead of arriving at once', async () => {
    sims.core.webhooks.addRule({ match: { provider: 'testkit' }, effect: { type: 'drop', attempts: 3 } })
    sims.core.webhooks.addRule({ match: { provider: 'testkit' }, effect: { type: 'duplicate', copies: 1 } })
    const event = emit({ storm: 1 })
    await waitForAttempts(event.id, 1)
    expect(receiver.received).toHaveLength(0) // nothing reaches the app while the original is being lost
    await sims.core.clock.advanceAsync(36_000) // the whole schedule: 1 s + 5 s + 30 s
    const deliveries = sims.core.webhooks.listDeliveries({ eventId: event.id })
    const original = deliveries.find((d) => d.attempts[0]?.trigger === 'scheduled')!
    const copy = deliveries.find((d) => d.attempts[0]?.trigger === 'duplicate')!
    expect(original.attempts.map((a) => a.outcome)).toEqual(['dropped', 'dropped', 'dropped', 'delivered'])
    expect(copy.attempts.map((a) => a.outcome)).toEqual(['delivered'])
    expect(Date.parse(copy.attempts[0]!.at)).toBeGreaterThanOrEqual(Date.parse(original.attempts[3]!.at))
    expect(receiver.received).toHaveLength(2)
  })

  it('after a synchronous advance, a retry is scheduled from its own due time, not from when the attempt ended', async () => {
    failFirst = 100
    const event = emit({ sync: 1 })
    await waitForAttempts(event.id, 1)
    const start = Date.parse((await waitForAttempts(event.id, 1)).attempts[0]!.at)
    sims.core.clock.advance(36_000) // attempt 2 falls due at +1 s; it ends after the clock is at +36 s
    await sims.core.clock.settle()
    const delivery = await waitForAttempts(event.id, 2)
    expect(Date.parse(delivery.attempts[1]!.at) - start).toBe(1_000)
    // The retries that fell due within the span follow without another advance.
    expect((await waitForAttempts(event.id, 4)).status).toBe('failed')
  })
})

describe('webhook rules as a registry (issue 11 #3)', () => {
  it('a rule with a probability fires on a seeded share of deliveries, the same share on a replay', async () => {
    const firedFor = async (seed: number) => {
      const dispatcher = new WebhookDispatcher({
        clock: new VirtualClock({ scale: 0 }),
        ids: new IdMinter(seed),
        spec: () => ({ schedule: [], sign: () => ({}) }),
        log: silentLogger,
      })
      dispatcher.addEndpoint({
        provider: 'p',
        account: 'a',
        url: 'http://127.0.0.1:9/',
        secret: 's',
        source: 'config',
      })
      const rule = dispatcher.addRule({ effect: { type: 'delay', ms: 1_000 }, probability: 0.25 })
      for (let i = 0; i < 400; i++) dispatcher.emit('p', 'a', { type: 't', payload: { i } })
      return dispatcher.listRules().find((r) => r.id === rule.id)!
    }
    const first = await firedFor(3)
    expect(first.seen).toBe(400)
    expect(first.fired).toBeGreaterThan(60)
    expect(first.fired).toBeLessThan(140)
    expect((await firedFor(3)).fired).toBe(first.fired)
  })

  it('duplicate counts with the other rules in one pass: `times` and `after` hold for it too', async () => {
    sims.core.webhooks.addRule({ effect: { type: 'duplicate', copies: 2 }, after: 1, times: 1 })
    const events = [emit({ n: 1 }), emit({ n: 2 }), emit({ n: 3 })]
    await sims.core.settled()
    expect(events.map((e) => sims.core.webhooks.listDeliveries({ eventId: e.id }).length)).toEqual([1, 3, 1])
    expect(sims.core.webhooks.listRules()[0]).toMatchObject({ seen: 3, fired: 1 })
  })

  it('explains each rule in words, and what it would do to a given delivery without counting it', async () => {
    const drop = sims.core.webhooks.addRule({
      match: { provider: 'testkit', eventType: 'widget.*' },
      effect: { type: 'drop', attempts: 2 },
      times: 1,
    })
    expect(drop.explanation).toBe(
      'for testkit widget.* events, lose the first 2 attempts in transit (they count as failed), 1 time',
    )
    const other = sims.core.webhooks.addRule({
      match: { eventType: 'order.*' },
      effect: { type: 'duplicate' },
    })
    const event = emit({}, 'widget.shipped')
    await sims.core.settled()
    const delivery = sims.core.webhooks.listDeliveries({ eventId: event.id })[0]!
    const explained = sims.core.webhooks.explainRules(delivery.id)
    expect(explained).toEqual([
      { ruleId: drop.id, matches: true, reason: drop.explanation, wouldFire: false }, // its one time is used
      {
        ruleId: other.id,
        matches: false,
        reason: 'event type widget.shipped does not match order.*',
        wouldFire: false,
      },
    ])
    expect(sims.core.webhooks.listRules().map((r) => r.seen)).toEqual([1, 0])
  })

  it('the tampering list reads in the registry order whatever order the rules were added in', async () => {
    sims.core.webhooks.addRule({ effect: { type: 'bad-signature' } })
    sims.core.webhooks.addRule({ effect: { type: 'stale-timestamp', seconds: 600 } })
    const delivery = await waitForAttempts(emit().id, 1)
    expect(delivery.attempts[0]!.tampering).toEqual(['stale-timestamp', 'bad-signature'])
  })

  it('refuses a probability outside 0..1 naming the field', () => {
    expect(() => sims.core.webhooks.addRule({ effect: { type: 'duplicate' }, probability: 2 })).toThrow(
      /probability/,
    )
  })
})

describe('webhook outbox under load (issue 13)', () => {
  it('with 30 % of receiver answers failing, every event ends delivered or visibly failed: none lost', async () => {
    const clock = new VirtualClock({ scale: 0 })
    // Every third answer or so fails: a deterministic 30 % (answers 1..10: 3, 6, 9 fail).
    const flaky = await startReceiver((n) => ([3, 6, 9].includes(n % 10) ? 503 : 200))
    const dispatcher = new WebhookDispatcher({
      clock,
      ids: new IdMinter(11),
      // Two retries, then give up: some events must end failed, visibly.
      spec: () => ({ schedule: [1_000, 2_000], sign: () => ({}) }),
      log: silentLogger,
    })
    try {
      dispatcher.addEndpoint({ provider: 'p', account: 'a', url: flaky.url, secret: 's', source: 'config' })
      const emitted = 300
      for (let i = 0; i < emitted; i++) dispatcher.emit('p', 'a', { type: 't', payload: { i } })
      await clock.advanceAsync(10_000)
      const counts = dispatcher.counts()
      expect(counts.pending + counts.retrying).toBe(0)
      expect(counts.delivered + counts.failed).toBe(emitted)
      expect(counts.failed).toBeGreaterThan(0)
      const failed = dispatcher.listDeliveries({ status: 'failed', limit: emitted })
      expect(failed.every((d) => d.attempts.length === 3 && d.attempts.every((a) => a.status === 503))).toBe(
        true,
      )
      expect(flaky.received.length).toBe(
        dispatcher.listDeliveries({ limit: emitted }).reduce((sum, d) => sum + d.attempts.length, 0),
      )
    } finally {
      clock.clearTimers()
      await flaky.close()
    }
  })

  it('keeps as many events as the store limit when given no cap, the newest', () => {
    const limit = getStoreLimit()
    setStoreLimit(50)
    try {
      const dispatcher = new WebhookDispatcher({
        clock: new VirtualClock({ scale: 0 }),
        ids: new IdMinter(6),
        spec: () => ({ schedule: [60_000], sign: () => ({}) }),
        log: silentLogger,
      })
      const emitted = Array.from({ length: 120 }, (_, i) =>
        dispatcher.emit('p', 'a', { type: `t${i}`, payload: {} }),
      )
      const kept = dispatcher.listEvents({ limit: 1000 })
      expect(kept.length).toBeLessThanOrEqual(50)
      expect(kept.length).toBeGreaterThanOrEqual(45)
      expect(kept[0]!.id).toBe(emitted.at(-1)!.id)
      expect(dispatcher.getEvent(emitted[0]!.id)).toBeUndefined()
    } finally {
      setStoreLimit(limit)
    }
  })

  it('past the cap the oldest ended events go, pending ones stay', async () => {
    const clock = new VirtualClock({ scale: 0 })
    const dispatcher = new WebhookDispatcher({
      clock,
      ids: new IdMinter(5),
      spec: () => ({ schedule: [60_000], sign: () => ({}) }),
      log: silentLogger,
      maxEvents: 100,
    })
    dispatcher.addEndpoint({
      provider: 'p',
      account: 'a',
      url: 'http://127.0.0.1:9/',
      secret: 's',
      source: 'config',
    })
    dispatcher.addRule({ effect: { type: 'delay', ms: 1_000_000 }, times: 1 })
    const pending = dispatcher.emit('p', 'a', { type: 't', payload: {} }) // held back by the delay: still pending
    for (let i = 0; i < 100; i++) dispatcher.emit('p', 'a', { type: 'quiet', payload: {}, to: undefined })
    await clock.idle()
    // The 100 quiet events went to a closed port and are retrying (pending): none may be dropped yet.
    expect(dispatcher.listEvents({ limit: 1000 })).toHaveLength(101)
    await clock.advanceAsync(60_000) // their one retry fails too: they end failed
    for (let i = 0; i < 10; i++) dispatcher.emit('p', 'a', { type: 'late', payload: {} })
    const kept = dispatcher.listEvents({ limit: 1000 })
    expect(kept.length).toBeLessThanOrEqual(100)
    expect(dispatcher.getEvent(pending.id)).toBeDefined()
    expect(dispatcher.listDeliveries({ eventId: pending.id })[0]!.status).toBe('pending')
    clock.clearTimers()
  })
})
