import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MAX_CLOCK_MS } from '../core/clock.ts'
import type { JournalEntry } from '../core/journal.ts'
import type { WebhookDelivery } from '../core/webhooks/types.ts'
import { type Hub, startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/**
 * Regression tests for issue 10: nothing a client sends or a control call does
 * can kill, wedge or bloat the hub, and every control call does what it says.
 * One in-process hub on ephemeral ports; each test scopes itself by its own data.
 */
let hub: Hub
const unhandled: unknown[] = []
const onUnhandled = (error: unknown) => unhandled.push(error)
const SK = 'sk_test_reliability'

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  hub = await startHub({
    port: 0,
    ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])),
    timeScale: 0,
    log: 'silent',
  })
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await hub?.close()
})
afterEach(async () => {
  expect(unhandled.splice(0)).toEqual([])
  await control('POST', '/clock/set', { time: Date.UTC(2026, 0, 1) })
})

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${hub.url}/_standin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the answer it expects
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> }
}

function stripe(path: string, form: Record<string, string> = {}, init: RequestInit = {}) {
  return fetch(`${hub.providerUrls.stripe}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    ...init,
  })
}

async function healthy() {
  const health = await control('GET', '/health')
  expect(health.status).toBe(200)
  const created = await stripe('/v1/customers', { email: 'still@example.com' })
  expect(created.status).toBe(200)
}

describe('issue 10 #1: a pending retry and an extreme clock cannot end the process', () => {
  it('a retry due past the end of time is kept pending; the hub answers on', async () => {
    const endpoint = await stripe('/v1/webhook_endpoints', {
      url: 'http://127.0.0.1:1/hook',
      'enabled_events[]': '*',
    })
    expect(endpoint.status).toBe(200)
    const customer = await stripe('/v1/customers', { email: 'retry@example.com' })
    const id = ((await customer.json()) as { id: string }).id
    const failed = await control(
      'GET',
      `/webhooks/deliveries/wait?provider=stripe&payloadContains=${id}&minAttempts=1`,
    )
    expect(failed.status).toBe(200)
    expect((failed.body as WebhookDelivery).status).toBe('retrying')

    // The last instant the clock holds: the retry falls due, fails again, and its next one is past the range.
    const set = await control('POST', '/clock/set', { time: MAX_CLOCK_MS })
    expect(set.status).toBe(200)
    const after = await control('GET', `/webhooks/deliveries?provider=stripe&payloadContains=${id}`)
    const delivery = after.body.deliveries[0] as WebhookDelivery
    expect(delivery.attempts.length).toBeGreaterThanOrEqual(2)
    expect(delivery.nextAttemptAt ?? '9999-12-31T23:59:59.999Z').toBe('9999-12-31T23:59:59.999Z')
    expect((await control('GET', '/health')).status).toBe(200)
    await control('POST', '/clock/set', { time: Date.UTC(2026, 0, 1) })
    await healthy()
    await stripe(
      `/v1/webhook_endpoints/${((await endpoint.json()) as { id: string }).id}`,
      {},
      { method: 'DELETE' },
    )
  })

  it('a signer that throws is recorded as a failed attempt, not an unhandled rejection', async () => {
    const spec = hub.core.provider('stripe').definition.webhooks!
    const sign = spec.sign
    spec.sign = () => {
      throw new Error('signer broke')
    }
    const serialize = spec.serialize
    spec.serialize = () => {
      throw new Error('serializer broke')
    }
    try {
      const event = hub.core.webhooks.emit('stripe', SK, {
        type: 'standin.test',
        payload: { id: 'evt_broken_signer' },
        to: { url: 'http://127.0.0.1:1/hook', secret: 'whsec_x' },
      })
      const delivery = await hub.core.webhooks.waitFor({ eventId: event.id, minAttempts: 1 }, 5000)
      expect(delivery?.attempts[0]?.outcome).toBe('failed')
      expect(delivery?.attempts[0]?.error).toMatch(/internal: serializer broke/)
    } finally {
      spec.sign = sign
      spec.serialize = serialize
    }
    await healthy()
  })

  it('a timer that throws is contained and the clock carries on', async () => {
    let ran = false
    hub.core.clock.setTimeout(() => {
      throw new Error('timer broke')
    }, 1_000)
    hub.core.clock.setTimeout(() => Promise.reject(new Error('async timer broke')), 2_000)
    hub.core.clock.setTimeout(() => {
      ran = true
    }, 3_000)
    expect((await control('POST', '/clock/advance', { by: '5s' })).status).toBe(200)
    expect(ran).toBe(true)
    await healthy()
  })
})

describe('issue 10 #2: clock values outside the date range are refused and change nothing', () => {
  it.each([
    ['/clock/set', { time: 8.64e15 + 1 }, 'time'],
    ['/clock/set', { time: -8.64e15 - 1 }, 'time'],
    ['/clock/set', { time: 8.64e15 }, 'time'],
    ['/clock/set', { time: '+275760-09-13T00:00:00.001Z' }, 'time'],
    ['/clock/advance', { by: 1e308 }, 'by'],
    ['/clock/advance', { by: '99999999999999d' }, 'by'],
    ['/clock/scale', { scale: 1e308 }, 'scale'],
  ])('%s %j → 400 naming %s', async (path, body, field) => {
    const before = (await control('GET', '/clock')).body.epochMs
    const res = await control('POST', path, body)
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe(field)
    expect((await control('GET', '/clock')).body.epochMs).toBe(before)
    await healthy()
  })

  it('an advance that would leave the range is refused as a whole', async () => {
    await control('POST', '/clock/set', { time: MAX_CLOCK_MS - 1000 })
    const res = await control('POST', '/clock/advance', { by: '1h' })
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe('by')
    expect((await control('GET', '/clock')).body.epochMs).toBe(MAX_CLOCK_MS - 1000)
  })
})

describe('issue 10 #3 and #4: the journal survives deep and huge bodies', () => {
  it('a body nested 5,000 deep is refused, journaled safely, and the journal still lists', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const res = await stripe(
      '/v1/customers',
      {},
      { body: deep, headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json' } },
    )
    expect(res.status).toBe(400)
    // Deeper than the journal keeps (64) but parsed (under the 512 levels refused at once): stored as text.
    const objects = `${'{"a":'.repeat(300)}1${'}'.repeat(300)}`
    await fetch(`${hub.providerUrls.sendgrid}/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: 'Bearer SG.x.y', 'content-type': 'application/json' },
      body: objects,
    })
    const list = await control('GET', '/journal?limit=5')
    expect(list.status).toBe(200)
    const entries = list.body.entries as JournalEntry[]
    expect(entries.some((e) => e.bodyTruncated?.reason === 'depth')).toBe(true)
    const head = await fetch(`${hub.url}/_standin/journal`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect((await control('GET', '/journal?contains=a')).status).toBe(200)
    await healthy()
  })

  it('large bodies are stored truncated with their size, and the journal is capped in bytes', async () => {
    const journal = hub.core.journal
    const big = 'x'.repeat(512 * 1024) // under Stripe's 1 MB limit, over the journal's 64 KiB
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${hub.providerUrls.stripe}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json' },
        body: JSON.stringify({ blob: big, i }),
      })
      expect(res.status).toBeLessThan(500)
    }
    const entries = (await control('GET', '/journal?provider=stripe&limit=20')).body.entries as JournalEntry[]
    const huge = entries.filter((e) => e.bodyTruncated?.reason === 'size')
    expect(huge.length).toBeGreaterThan(0)
    expect(huge[0]!.bodyTruncated!.bytes).toBeGreaterThan(512 * 1024)
    expect(JSON.stringify(huge[0]!.body).length).toBeLessThanOrEqual(journal.maxBodyBytes + 100)
    expect(journal.totalBytes).toBeLessThanOrEqual(journal.maxBytes)
  })
})

describe('issue 10 #9: unknown names are refused with a 400 naming the field', () => {
  it.each([
    [
      'POST',
      '/faults',
      {
        match: { provider: 'stripe', operation: 'payment_intent.create' },
        effect: { type: 'status', status: 500 },
      },
      'match.operation',
    ],
    [
      'POST',
      '/faults',
      { match: { operation: 'nope.create' }, effect: { type: 'status', status: 500 } },
      'match.operation',
    ],
    [
      'POST',
      '/faults',
      { match: { provider: 'strype' }, effect: { type: 'status', status: 500 } },
      'match.provider',
    ],
    [
      'POST',
      '/faults',
      { match: { provider: 'stripe' }, effect: { type: 'provider-error', error: 'no_such_error' } },
      'effect.error',
    ],
    [
      'POST',
      '/webhooks/rules',
      { match: { provider: 'strype' }, effect: { type: 'drop', attempts: 1 } },
      'match.provider',
    ],
    [
      'POST',
      '/webhooks/rules',
      { match: { provider: 'aligo' }, effect: { type: 'drop', attempts: 1 } },
      'match.provider',
    ],
    ['POST', '/presets/webhook-retry-storm/apply', { vars: { provider: 'strype' } }, 'vars.provider'],
    ['POST', '/presets/no-such-preset/apply', { vars: {} }, 'name'],
    ['GET', '/journal?provider=strype', undefined, 'provider'],
    ['GET', '/journal?operation=payment_intent.create', undefined, 'operation'],
    ['GET', '/messages?provider=twillio', undefined, 'provider'],
    ['GET', '/faults?provider=strype', undefined, 'provider'],
    ['GET', '/webhooks/deliveries?provider=strype', undefined, 'provider'],
    ['GET', '/webhooks/events?provider=strype', undefined, 'provider'],
    ['DELETE', '/faults?provider=strype', undefined, 'provider'],
    ['POST', '/webhooks/events', { provider: 'stripe', event: 'no.such.trigger' }, 'event'],
  ])('%s %s %j → 400 %s', async (method, path, body, field) => {
    const rulesBefore = (await control('GET', '/faults')).body.rules.length
    const hooksBefore = (await control('GET', '/webhooks/rules')).body.rules.length
    const res = await control(method, path, body)
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe(field)
    expect((await control('GET', '/faults')).body.rules.length).toBe(rulesBefore)
    expect((await control('GET', '/webhooks/rules')).body.rules.length).toBe(hooksBefore)
  })

  it('known names are still accepted', async () => {
    const res = await control('POST', '/faults', {
      match: { provider: 'stripe', operation: 'payment_intents.create', body: { 'metadata.order': 'never' } },
      effect: { type: 'status', status: 500 },
    })
    expect(res.status).toBe(201)
    await control('DELETE', `/faults/${res.body.id}`)
    expect((await control('GET', '/journal?provider=stripe&operation=customers.create&limit=1')).status).toBe(
      200,
    )
  })
})

describe('issue 10 #11: an event sent on demand keeps its id', () => {
  it("records the event and its deliveries under the payload's id", async () => {
    const endpoint = await control('POST', '/webhooks/endpoints', {
      provider: 'stripe',
      account: SK,
      url: 'http://127.0.0.1:1/hook',
      secret: 'whsec_mine',
    })
    expect(endpoint.status).toBe(201)
    const sent = await control('POST', '/webhooks/events', {
      provider: 'stripe',
      account: SK,
      event: 'customer.created',
      payload: { id: 'evt_mine123', object: 'event', type: 'customer.created', data: { object: {} } },
    })
    expect(sent.status).toBe(201)
    expect(sent.body.result.id).toBe('evt_mine123')
    const events = await control('GET', '/webhooks/events?provider=stripe')
    expect(events.body.events.map((e: { id: string }) => e.id)).toContain('evt_mine123')
    const found = await control('GET', '/webhooks/deliveries?eventId=evt_mine123')
    expect(found.body.deliveries).toHaveLength(1)
    await control('DELETE', `/webhooks/endpoints/${endpoint.body.id}`)
  })
})
