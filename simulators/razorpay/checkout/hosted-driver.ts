/**
 * Drives the short_url pages over plain HTTP, as a customer's form posts
 * would: authorise a subscription, pay a payment link. For API tests and
 * journeys; the pages' labels are in README.md.
 *
 * @example
 * const sub = await rzp.subscriptions.create({ plan_id, total_count: 12 })
 * const auth = await authorizeAtShortUrl(sub.short_url, { method: 'card', number: '4718609108204366' })
 * // auth.fields.razorpay_signature
 */
export type HostedInput =
  | { method: 'card'; number: string; amount?: number; callbackUrl?: string }
  | { method: 'upi'; vpa: string; amount?: number; callbackUrl?: string }

export type HostedResult =
  | { ok: true; status: number; fields: Record<string, string>; location: string | undefined }
  | { ok: false; status: number; reason: string | undefined; description: string | undefined }

const testid = (html: string, id: string) => new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1]

async function submit(shortUrl: string, input: HostedInput): Promise<HostedResult> {
  const fields: Record<string, string> =
    input.method === 'card'
      ? { method: 'card', 'card[number]': input.number, 'card[expiry]': '12/30', 'card[cvv]': '123' }
      : { method: 'upi', vpa: input.vpa }
  if (input.amount !== undefined) fields.amount = String(input.amount)
  if (input.callbackUrl !== undefined) fields.callback_url = input.callbackUrl
  const response = await fetch(`${shortUrl}/pay`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  })
  const html = await response.text()
  const location = response.headers.get('location') ?? undefined
  if (location) {
    const query = Object.fromEntries(new URL(location).searchParams)
    return { ok: true, status: response.status, fields: query, location }
  }
  const paymentId = testid(html, 'razorpay_payment_id')
  if (paymentId) {
    const names = [...html.matchAll(/data-testid="(razorpay_[a-z_]+)">([^<]*)</g)]
    return {
      ok: true,
      status: response.status,
      fields: Object.fromEntries(names.map((m) => [m[1]!, m[2]!])),
      location: undefined,
    }
  }
  return {
    ok: false,
    status: response.status,
    reason: testid(html, 'error-reason'),
    description: testid(html, 'error-description') ?? /role="alert">([^<]*)</.exec(html)?.[1],
  }
}

/** The authentication transaction of a subscription at its short_url. */
export const authorizeAtShortUrl = submit
/** A payment on a payment link's short_url (`amount` for a partial payment). */
export const payAtShortUrl = submit
