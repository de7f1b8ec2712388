import Razorpay from 'razorpay'

/**
 * The official razorpay-node client pointed at standin (sdk-clients.md): the
 * SDK has no host option; its axios instance's baseURL is the only knob.
 *
 * @example
 * const rzp = razorpayClient(sims.url('razorpay'), { key_id: 'rzp_test_1DP5mmOlF5G5ag', key_secret: 's3cret' })
 */
export function razorpayClient(baseUrl: string, keys: { key_id: string; key_secret: string }): Razorpay {
  const client = new Razorpay(keys)
  // biome-ignore lint/suspicious/noExplicitAny: `api` is not in the SDK's public typings
  const rq = (client as any).api.rq
  rq.defaults.baseURL = baseUrl
  rq.defaults.proxy = false
  return client
}
