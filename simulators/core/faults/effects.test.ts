import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../testing.ts'

/** Every effect, observed by a real HTTP client over a real socket. */
let sims: RunningProviders
const auth = { authorization: 'Bearer tk_effects', 'content-type': 'application/json' }
const create = (name: string, signal?: AbortSignal) =>
  fetch(`${sims.url('testkit')}/v1/widgets`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name }),
    ...(signal ? { signal } : {}),
  })

beforeAll(async () => {
  sims = await startProviders([testkit])
})
afterAll(() => sims.close())
beforeEach(() => sims.core.reset())

describe('fault effects over HTTP', () => {
  it('provider-error answers with the catalogue body', async () => {
    sims.core.faults.add({
      match: { provider: 'testkit', operation: 'widgets.create' },
      effect: { type: 'provider-error', error: 'declined', params: { message: 'nope' } },
    })
    const response = await create('a')
    expect(response.status).toBe(402)
    expect(await response.json()).toEqual({ error: { code: 'declined', message: 'nope' } })
    expect(response.headers.get('request-id')).toMatch(/^req_/)
  })

  it('status answers with the raw status, body and headers', async () => {
    sims.core.faults.add({
      match: { provider: 'testkit' },
      effect: { type: 'status', status: 503, body: { down: true }, headers: { 'retry-after': '7' } },
    })
    const response = await create('a')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('7')
    expect(await response.json()).toEqual({ down: true })
  })

  it('latency delays the answer', async () => {
    sims.core.faults.add({ match: { provider: 'testkit' }, effect: { type: 'latency', ms: 300 } })
    const started = performance.now()
    const response = await create('slow')
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('latency after answers with the object as the handler left it, not as it is when the delay ends', async () => {
    const widget = (await (await create('late')).json()) as { id: string }
    sims.core.faults.add({
      match: { provider: 'testkit', operation: 'widgets.retrieve' },
      effect: { type: 'latency', ms: 300, phase: 'after' },
      times: 1,
    })
    const late = fetch(`${sims.url('testkit')}/v1/widgets/${widget.id}`, { headers: auth })
    // Shipped while the retrieve's answer waits: the handler answered "not shipped" before this.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const shipped = await fetch(`${sims.url('testkit')}/v1/widgets/${widget.id}/ship`, {
      method: 'POST',
      headers: auth,
    })
    expect(((await shipped.json()) as { shipped: boolean }).shipped).toBe(true)
    expect(((await (await late).json()) as { shipped: boolean }).shipped).toBe(false)
  })

  it('connection-reset drops the socket with no answer', async () => {
    sims.core.faults.add({ match: { provider: 'testkit' }, effect: { type: 'connection-reset' }, times: 1 })
    await expect(create('reset')).rejects.toThrow(/fetch failed/)
    expect(sims.core.journal.list({ provider: 'testkit' }).at(-1)).toMatchObject({
      outcome: 'reset',
      status: 0,
    })
    expect((await create('after')).status).toBe(200)
  })

  it('hang never answers: the client timeout fires', async () => {
    sims.core.faults.add({ match: { provider: 'testkit' }, effect: { type: 'hang', ms: 5000 }, times: 1 })
    const started = performance.now()
    await expect(create('hang', AbortSignal.timeout(300))).rejects.toThrow(/timeout|aborted/i)
    expect(performance.now() - started).toBeLessThan(3000)
    // the widget was never created: 'before' means the provider never saw it
    const list = await fetch(`${sims.url('testkit')}/v1/widgets`, { headers: auth }).then((r) => r.json())
    expect(list.data).toHaveLength(0)
  })

  it("latency 'after' lets the provider do the work while the client times out", async () => {
    sims.core.faults.add({
      match: { provider: 'testkit', operation: 'widgets.create' },
      effect: { type: 'latency', ms: 1500, phase: 'after' },
      times: 1,
    })
    await expect(create('charged', AbortSignal.timeout(300))).rejects.toThrow(/timeout|aborted/i)
    const list = await fetch(`${sims.url('testkit')}/v1/widgets`, { headers: auth }).then((r) => r.json())
    expect(list.data.map((w: { name: string }) => w.name)).toEqual(['charged'])
  })

  it('slow-body sends headers at once and trickles the body', async () => {
    sims.core.faults.add({
      match: { provider: 'testkit' },
      effect: { type: 'slow-body', chunkBytes: 10, chunkDelayMs: 60 },
    })
    const started = performance.now()
    const response = await create('a-name-long-enough-to-need-several-chunks')
    const headersAt = performance.now() - started
    const body = await response.json()
    const bodyAt = performance.now() - started
    expect(body.name).toBe('a-name-long-enough-to-need-several-chunks')
    expect(bodyAt - headersAt).toBeGreaterThanOrEqual(60 * 5)
  })

  it('truncated-body does the work, sends the start of the answer, then closes the connection', async () => {
    sims.core.faults.add({
      match: { provider: 'testkit', operation: 'widgets.create' },
      effect: { type: 'truncated-body', bytes: 5 },
      times: 1,
    })
    const response = await create('cut')
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const received: number[] = []
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return
          received.push(...value)
        }
      })(),
    ).rejects.toThrow(/terminated|aborted|closed/i)
    expect(Buffer.from(received).toString()).toBe('{"id"')
    const list = await fetch(`${sims.url('testkit')}/v1/widgets`, { headers: auth }).then((r) => r.json())
    expect(list.data.map((w: { name: string }) => w.name)).toEqual(['cut'])
    expect(sims.core.journal.list({ provider: 'testkit' })[0]).toMatchObject({
      status: 200,
      outcome: 'response',
      fault: { effect: 'truncated-body' },
    })
  })

  it('journals which rule fired and why', async () => {
    const rule = sims.core.faults.add({
      match: { provider: 'testkit' },
      effect: { type: 'status', status: 500 },
      times: 1,
    })
    await create('x')
    await create('y')
    const [first, second] = sims.core.journal.list({ provider: 'testkit' })
    expect(first!.fault).toEqual({ ruleId: rule.id, effect: 'status', explanation: rule.explanation })
    expect(second!.fault).toBeUndefined()
  })
})
