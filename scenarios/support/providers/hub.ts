/**
 * Where standin serves each provider (its hosted pages included), as the hub
 * reports it: journeys open Stripe Checkout, Razorpay's checkout.js and the
 * Toss window there, whatever ports the hub was started on.
 */
import type { StandinClient } from '../../../simulators/core/control/client.ts'

const cache = new WeakMap<StandinClient, Promise<Map<string, string>>>()

/**
 * The base URL of one provider on the hub `standin` talks to.
 * @example
 * const tossUrl = await providerUrl(standin, 'toss')
 */
export async function providerUrl(standin: StandinClient, provider: string): Promise<string> {
  let urls = cache.get(standin)
  if (!urls) {
    urls = standin.health().then((h) => new Map(h.providers.map((p) => [p.name, p.url.replace(/\/$/, '')])))
    cache.set(standin, urls)
  }
  const url = (await urls).get(provider)
  if (!url)
    throw new Error(
      `Failed to find ${provider} on the hub: it serves ${[...(await urls).keys()].join(', ')}.`,
    )
  return url
}
