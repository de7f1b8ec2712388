import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver } from '../core/webhooks/receiver.ts'
import type { WebhookDelivery } from '../core/webhooks/types.ts'
import { type Hub, startHub } from './hub.ts'
import { allProviders } from './providers.ts'

/**
 * Regression for issue 10 #7: `clock advance` runs every retry that falls due
 * within the span, each scheduled from its own due time, so a provider's whole
 * retry schedule completes in one advance, through the control plane.
 */
let hub: Hub
let receiver: Awaited<ReturnType<typeof startReceiver>>
const failures = new Map<string, number>() // provider → attempts to fail before answering 200

beforeAll(async () => {
  hub = await startHub({
    port: 0,
    ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])),
    timeScale: 0,
    log: 'silent',
  })
  const seen = new Map<string, number>()
  receiver = await startReceiver((_n, hook) => {
    const provider = new URL(`http://x${hook.path}`).searchParams.get('p')!
    const n = (seen.get(provider) ?? 0) + 1
    seen.set(provider, n)
    return n <= (failures.get(provider) ?? 0) ? 503 : 200
  })
})
afterAll(async () => {
  await hub?.close()
  await receiver?.close()
})

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${hub.url}/_standin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const withWebhooks = allProviders.filter((p) => p.webhooks?.schedule.some((ms) => ms > 0))

describe('clock advance runs a whole retry schedule', () => {
  it.each(withWebhooks.map((p) => [p.name, p] as const))(
    '%s: every retry of the schedule happens within one advance, at its own due time',
    async (name, provider) => {
      const schedule = provider.webhooks!.schedule
      failures.set(name, schedule.length) // fail every attempt but the last
      const endpoint = await control('POST', '/webhooks/endpoints', {
        provider: name,
        url: `${receiver.url}?p=${name}`,
        secret: 'whsec_clock_advance_test',
      })
      expect(endpoint.status).toBe(201)
      const sent = await control('POST', '/webhooks/events', {
        provider: name,
        event: 'standin.test',
        payload: [{ id: `evt_${name}_advance`, event: 'standin.test', type: 'standin.test' }],
      })
      expect(sent.status).toBe(201)
      const eventId = (sent.body.result as { id: string }).id
      const first = await control('GET', `/webhooks/deliveries/wait?eventId=${eventId}&minAttempts=1`)
      expect(first.status).toBe(200)

      const total = schedule.reduce((a, b) => a + b, 0)
      const advanced = await control('POST', '/clock/advance', { by: total })
      expect(advanced.status).toBe(200)

      const { body } = await control('GET', `/webhooks/deliveries?eventId=${eventId}`)
      const delivery = (body.deliveries as WebhookDelivery[])[0]!
      expect(delivery.attempts.map((a) => a.outcome)).toEqual([...schedule.map(() => 'failed'), 'delivered'])
      expect(delivery.status).toBe('delivered')
      const times = delivery.attempts.map((a) => Date.parse(a.at))
      expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([...schedule])
      await control('DELETE', `/webhooks/endpoints/${(endpoint.body as { id: string }).id}`)
    },
  )
})
