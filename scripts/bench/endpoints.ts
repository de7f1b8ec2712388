/**
 * The hottest endpoint of each provider, as a client sends it: the request
 * `npm run bench` drives through the hub (and the stub servers answer with
 * the body the hub answered). Each request succeeds on its own and may be
 * repeated, except Toss's confirm, which needs a fresh authenticated payment
 * per request: `prepare` makes them over the hub's own payment window before
 * the round (not timed) and `bodies` hands one to each request.
 */

export interface Endpoint {
  name: string
  provider: string
  method: 'POST'
  path: string
  headers: Record<string, string>
  body: string
  /** The status a success has (anything else is counted as an error). */
  status: number
  /** Makes `count` single-use request bodies against the hub's provider URL (untimed). */
  prepare?: (base: string, count: number) => Promise<string[]>
  /** A header sent with a new value on every request, as an SDK sends its idempotency key. */
  keyHeader?: string
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = 'application/x-www-form-urlencoded'

const TWILIO_SID = `AC${'b'.repeat(32)}`
const TOSS_SECRET = 'test_sk_benchShop01'
const TOSS_CLIENT = 'test_ck_benchShop01'
const SENDGRID_ACCOUNT = 'bench'

const STRIPE_CUSTOMER_CREATE: Endpoint = {
  name: 'stripe customer create',
  provider: 'stripe',
  method: 'POST',
  path: '/v1/customers',
  headers: { authorization: 'Bearer sk_test_bench', 'content-type': FORM },
  body: form({ email: 'jenny@example.com', name: 'Jenny Rosen', 'metadata[order_id]': 'o_1' }),
  status: 200,
}

export const endpoints: Endpoint[] = [
  STRIPE_CUSTOMER_CREATE,
  // What stripe-node sends: it retries once by default, so every POST carries an Idempotency-Key.
  {
    ...STRIPE_CUSTOMER_CREATE,
    name: 'stripe customer create, keyed as stripe-node sends it',
    keyHeader: 'idempotency-key',
  },
  {
    name: 'stripe payment intent create+confirm',
    provider: 'stripe',
    method: 'POST',
    path: '/v1/payment_intents',
    headers: { authorization: 'Bearer sk_test_bench', 'content-type': FORM },
    body: form({
      amount: '2000',
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
    }),
    status: 200,
  },
  {
    name: 'razorpay order create',
    provider: 'razorpay',
    method: 'POST',
    path: '/v1/orders',
    headers: {
      authorization: basic('rzp_test_Bench00000001', 'bench_secret'),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ amount: 50000, currency: 'INR', receipt: 'receipt#1', notes: { order: 'o_1' } }),
    status: 200,
  },
  {
    name: 'toss confirm',
    provider: 'toss',
    method: 'POST',
    path: '/v1/payments/confirm',
    headers: { authorization: basic(TOSS_SECRET, ''), 'content-type': 'application/json' },
    body: '',
    status: 200,
    prepare: tossPayments,
  },
  {
    name: 'twilio message create',
    provider: 'twilio',
    method: 'POST',
    path: `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`,
    headers: { authorization: basic(TWILIO_SID, 'bench-token'), 'content-type': FORM },
    body: form({ To: '+15558675310', From: '+15005550006', Body: 'Your code is 123456' }),
    status: 201,
  },
  {
    name: 'aligo send',
    provider: 'aligo',
    method: 'POST',
    path: '/send/',
    headers: { 'content-type': FORM },
    body: form({
      key: 'k3y0000000000000000000000000bnch',
      user_id: 'bench',
      sender: '025114560',
      receiver: '01055550001',
      msg: '인증번호는 123456 입니다',
    }),
    status: 200,
  },
  {
    name: 'sendgrid mail send',
    provider: 'sendgrid',
    method: 'POST',
    path: '/v3/mail/send',
    headers: { authorization: `Bearer SG.${SENDGRID_ACCOUNT}.secret`, 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: 'jenny@example.com' }] }],
      from: { email: 'shop@example.com' },
      subject: 'Your receipt',
      content: [{ type: 'text/plain', value: 'Thanks for your order.' }],
    }),
    status: 202,
  },
]

/**
 * What a load test through standin sets first, in the hub's process: the
 * accounts' rate limits raised (Twilio's 100 requests per virtual second,
 * SendGrid's 600 per minute), or most requests would be 429s.
 */
export async function raiseLimits(core: {
  providers: Map<
    string,
    {
      trigger(name: string, account: string, params: Record<string, unknown>): Promise<unknown>
      store: { get(account: string): unknown }
    }
  >
}): Promise<void> {
  await core.providers.get('twilio')!.trigger('account.rate_limit', TWILIO_SID, { perSecond: 1_000_000_000 })
  const sendgrid = core.providers.get('sendgrid')!.store.get(SENDGRID_ACCOUNT) as {
    rateLimitPerMinute: number
  }
  sendgrid.rateLimitPerMinute = Number.MAX_SAFE_INTEGER
}

let tossOrder = 0

/** Opens Toss's payment window and pays in it (as a browser would), `count` times, 32 at once. */
async function tossPayments(base: string, count: number): Promise<string[]> {
  const bodies: string[] = []
  const one = async () => {
    const orderId = `bench-${process.pid}-${++tossOrder}`
    const query = new URLSearchParams({
      clientKey: TOSS_CLIENT,
      method: 'CARD',
      orderName: 'bench',
      successUrl: 'http://127.0.0.1:9/success',
      failUrl: 'http://127.0.0.1:9/fail',
      orderId,
      amount: '15000',
    })
    const opened = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
    const checkout = opened.headers.get('location')
    if (opened.status !== 303 || !checkout)
      throw new Error(`toss window: ${opened.status} ${await opened.text()}`)
    const paid = await fetch(`${base}${checkout}`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: form({ action: 'pay' }),
      redirect: 'manual',
    })
    const to = new URL(paid.headers.get('location') ?? 'http://x/')
    const paymentKey = to.searchParams.get('paymentKey')
    if (!paymentKey) throw new Error(`toss pay: ${paid.status} ${await paid.text()}`)
    bodies.push(JSON.stringify({ paymentKey, orderId, amount: 15000 }))
  }
  let next = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < count) await one()
    }),
  )
  return bodies
}
