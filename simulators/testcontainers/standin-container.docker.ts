/**
 * StandinContainer against a real engine and the real hub image (built by
 * scripts/docker/build.sh): the wait strategy, each provider's URL, the control
 * client with the container's token, and the seed / time scale / presets options.
 * Run by scripts/docker/e2e.sh (DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTAINER_PORTS, StandinContainer, type StartedStandinContainer } from './index.ts'

const image = process.env.STANDIN_HUB_IMAGE ?? 'standin/hub:latest'

/** A PaymentIntent through the Stripe port, as stripe-node sends it. */
const createPaymentIntent = (hub: StartedStandinContainer) =>
  fetch(`${hub.getStripeUrl()}/v1/payment_intents`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sk_test_standin_container',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'amount=1999&currency=usd',
  })

describe('StandinContainer', () => {
  let hub: StartedStandinContainer

  beforeAll(async () => {
    hub = await new StandinContainer(image).withSeed(7).withTimeScale(60).start()
  })
  afterAll(async () => {
    await hub?.stop()
  })

  it('starts when the control plane is healthy and maps every port', async () => {
    expect(await hub.client().health()).toMatchObject({ status: 'ok', seed: 7 })
    for (const port of Object.values(CONTAINER_PORTS)) expect(hub.getMappedPort(port)).toBeGreaterThan(0)
    expect(hub.getControlUrl()).toMatch(/^http:\/\/[^:]+:\d+$/)
  })

  it("answers each provider at its URL with that provider's own error for a bad request", async () => {
    const urls = hub.getProviderUrls()
    expect(Object.keys(urls).sort()).toEqual(['aligo', 'razorpay', 'sendgrid', 'stripe', 'toss', 'twilio'])
    // No credentials: each provider refuses in its own way, which proves the right simulator answers.
    const stripe = await fetch(`${urls.stripe}/v1/customers`)
    expect(stripe.status).toBe(401)
    expect((await stripe.json()).error.type).toBe('invalid_request_error')
    const twilio = await fetch(`${urls.twilio}/2010-04-01/Accounts/AC123/Messages.json`)
    expect(twilio.status).toBe(401)
    const razorpay = await fetch(`${urls.razorpay}/v1/orders`)
    expect(razorpay.status).toBe(401)
  })

  it('creates state through a provider port and shows it to the control client', async () => {
    const created = await createPaymentIntent(hub)
    expect(created.status).toBe(200)
    const intent = (await created.json()) as { id: string; amount: number }
    expect(intent).toMatchObject({ amount: 1999 })
    const { entries } = await hub.client().journal.list({ provider: 'stripe' })
    expect(entries.some((e) => JSON.stringify(e).includes(intent.id))).toBe(true)
  })

  it('injects a fault through the client that the provider port then answers', async () => {
    const rule = await hub.client().faults.add({
      match: { provider: 'stripe', operation: 'payment_intents.create' },
      effect: { type: 'provider-error', error: 'card_declined' },
      times: 1,
    })
    const declined = await createPaymentIntent(hub)
    expect(declined.status).toBe(402)
    expect((await declined.json()).error.code).toBe('card_declined')
    expect((await createPaymentIntent(hub)).status).toBe(200)
    await hub.client().faults.remove(rule.id)
  })

  it('runs the clock at the time scale it was given', async () => {
    expect((await hub.client().clock.get()).scale).toBe(60)
  })

  it('refuses the control plane without its token, and the providers stay open', async () => {
    const refused = await fetch(`${hub.getControlUrl()}/_standin/faults`)
    expect(refused.status).toBe(401)
    const wrong = await fetch(`${hub.getControlUrl()}/_standin/faults`, {
      headers: { authorization: 'Bearer not-the-token' },
    })
    expect(wrong.status).toBe(401)
    expect((await createPaymentIntent(hub)).status).toBe(200)
  })
})

describe('StandinContainer options', () => {
  it('replays the same ids with the same seed, and others with another', async () => {
    const firstIds = async (seed: number) => {
      const hub = await new StandinContainer(image).withSeed(seed).withProviders('stripe').start()
      try {
        return ((await (await createPaymentIntent(hub)).json()) as { id: string }).id
      } finally {
        await hub.stop()
      }
    }
    const [a, b, c] = [await firstIds(11), await firstIds(11), await firstIds(12)]
    expect(a).toBe(b)
    expect(c).not.toBe(a)
  })

  it('applies a preset from a presets folder of this machine at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-presets-'))
    writeFileSync(
      join(dir, 'stripe-down.json'),
      JSON.stringify({
        name: 'stripe-down',
        description: 'Every Stripe call answers 503',
        faults: [
          { name: 'stripe down', match: { provider: 'stripe' }, effect: { type: 'status', status: 503 } },
        ],
      }),
    )
    const hub = await new StandinContainer(image)
      .withPresetsDir(dir)
      .withPreset('stripe-down')
      .withProviders('stripe', 'twilio')
      .start()
    try {
      expect((await hub.client().faults.list()).map((r) => r.name)).toEqual(['stripe down'])
      expect((await createPaymentIntent(hub)).status).toBe(503)
    } finally {
      await hub.stop()
    }
  })

  it('takes a chosen control token and sends webhooks where withWebhook says', async () => {
    // Nothing listens on 4799 in the container; what counts is that the delivery goes to that URL.
    const hub = await new StandinContainer(image)
      .withControlToken('chosen-token')
      .withWebhook('stripe', 'http://127.0.0.1:4799/hook', 'whsec_container')
      .withProviders('stripe')
      .start()
    try {
      expect(hub.getControlToken()).toBe('chosen-token')
      const refused = await fetch(`${hub.getControlUrl()}/_standin/health`, {
        headers: { authorization: 'Bearer another-token' },
      })
      expect(refused.status).toBe(401)
      await hub.client().webhooks.events.send({ provider: 'stripe', event: 'payment_intent.succeeded' })
      const delivery = await hub.client().webhooks.deliveries.wait({ provider: 'stripe', timeoutMs: 20_000 })
      expect(delivery.url).toBe('http://127.0.0.1:4799/hook')
    } finally {
      await hub.stop()
    }
  })

  it("fails to start, naming the preset, when a preset to apply doesn't exist", async () => {
    await expect(new StandinContainer(image).withPreset('no-such-preset').start()).rejects.toThrow(
      /no-such-preset/,
    )
  })
})
