import type Razorpay from 'razorpay'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { razorpay } from './index.ts'
import { startReceiver } from './receiver.ts'
import { razorpayClient } from './sdk.ts'

/**
 * What the razorpay-node suites share: the simulator on an ephemeral port, the
 * official client for one merchant's keys, and (for suites that watch events)
 * a local receiver registered as that merchant's webhook endpoint.
 */

type Keys = { key_id: string; key_secret: string }

/** The receiver {@link startRazorpayWithWebhooks} starts. */
export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/**
 * Starts the simulator and a client for `keys`.
 * @example
 * beforeAll(async () => ({ sims, rzp } = await startRazorpay(keys)))
 */
export async function startRazorpay(keys: Keys): Promise<{ sims: RunningProviders; rzp: Razorpay }> {
  const sims = await startProviders([razorpay])
  return { sims, rzp: razorpayClient(sims.url('razorpay'), keys) }
}

/**
 * {@link startRazorpay}, plus a receiver whose `/hooks` is the merchant's webhook
 * endpoint, signed with `secret`; `close()` stops both.
 * @example
 * beforeAll(async () => ({ sims, rzp, rx } = await startRazorpayWithWebhooks(keys, 'whsec')))
 */
export async function startRazorpayWithWebhooks(
  keys: Keys,
  secret: string,
  receiver: Parameters<typeof startReceiver>[0] = {},
) {
  const { sims, rzp } = await startRazorpay(keys)
  const rx = await startReceiver(receiver)
  sims.core.webhooks.addEndpoint({
    provider: 'razorpay',
    account: keys.key_id,
    url: `${rx.url}/hooks`,
    secret,
    source: 'config',
  })
  return {
    sims,
    rzp,
    rx,
    close: async () => {
      await sims.close()
      await rx.close()
    },
  }
}

/** razorpay-node rejects with a plain `{ statusCode, error }` object, not an Error. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ statusCode: number; error: Record<string, unknown> }> {
  try {
    await promise
  } catch (e) {
    return e as { statusCode: number; error: Record<string, unknown> }
  }
  throw new Error('expected the SDK call to reject')
}
