import { ProviderError } from '../../core/errors.ts'
import type { PlainResponse } from '../../core/http.ts'
import { hostedFailurePage, hostedSuccessPage, linkPage, subscriptionPage } from '../checkout/hosted-pages.ts'
import { errorPage } from '../checkout/page.ts'
import { type FailureReason, MESSAGES, paymentFailures } from '../errors.ts'
import type { PaymentDetails } from '../lifecycle.ts'
import { checkLinkAmount, linkCallback, payLink } from '../payment-links.ts'
import { type Mandate, planOf } from '../subscription-timing.ts'
import { authorizeSubscription } from '../subscriptions.ts'
import { lookupCard, UPI_FAILURE, VPA } from '../test-values.ts'
import { checkoutSignature } from '../webhooks.ts'
import { type Ctx, route } from './route.ts'

/**
 * The short_url pages (Razorpay's rzp.io/i/…): a subscription's
 * authentication transaction and a payment link's payment. Browsers send no
 * key, so these find their account from the short code.
 *
 * Outcomes come from the documented test values: an error card fails with its
 * reason, `failure@razorpay` fails; any other valid card or VPA succeeds.
 */

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

const embeddedFlag = (source: Record<string, unknown>) =>
  source.embedded === '1' || source.embedded === 'true'

function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol)
  } catch {
    return false
  }
}

type Opened = { ctx: Ctx; kind: 'subscription' | 'payment_link'; id: string } | { page: PlainResponse }

function open(ctx: Ctx, code: string): Opened {
  const hit = ctx.store.find((state) => state.billing.shortLinks.get(code))
  if (!hit) return { page: errorPage(404, 'This link is invalid or has been removed.') }
  return { ctx: ctx.forAccount(hit.account), kind: hit.found.kind, id: hit.found.id }
}

/** The method form → what to charge, and how a test value decides the outcome. */
function entered(
  body: Record<string, unknown>,
): { mandate: Mandate; details: PaymentDetails; failure: FailureReason | undefined } | string {
  const email = text(body.email) ?? 'gaurav.kumar@example.com'
  const contact = text(body.contact) ?? '+919999999999'
  if (body.method === 'card') {
    const number = (text(record(body.card).number) ?? '').replace(/[\s-]/g, '')
    const card = lookupCard(number)
    if (!card) return 'Please enter a valid card number'
    return {
      mandate: { method: 'card', card: number, email, contact },
      details: {
        method: 'card',
        email,
        contact,
        card: {
          number,
          name: '',
          network: card.network,
          type: card.type,
          international: card.international,
          issuer: null,
        },
      },
      failure: card.failure,
    }
  }
  if (body.method === 'upi') {
    const vpa = text(body.vpa) ?? ''
    if (!VPA.test(vpa)) return paymentFailures.invalid_vpa.description
    return {
      mandate: { method: 'upi', vpa, email, contact },
      details: { method: 'upi', vpa, email, contact },
      failure: vpa === UPI_FAILURE ? 'payment_failed' : undefined,
    }
  }
  return 'Please select a payment method'
}

function guarded(run: () => PlainResponse): PlainResponse {
  try {
    return run()
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error
    const body = error.response.body as { error?: { description?: string } }
    return errorPage(error.response.status, body.error?.description ?? 'Payment failed')
  }
}

/** A subscription's authorisation page, returning to the query's callback_url (refused unless http(s)). */
function authorisationPage(
  c: Ctx,
  code: string,
  sub: Parameters<typeof planOf>[1],
  query: Record<string, unknown>,
): PlainResponse {
  const callbackUrl = text(query.callback_url)
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl))
    return errorPage(400, 'callback_url must be an http(s) URL')
  return subscriptionPage(code, sub, planOf(c, sub), callbackUrl, undefined, embeddedFlag(query))
}

export const hostedRoutes = [
  route({
    operation: 'hosted.open',
    method: 'GET',
    path: '/i/:code',
    auth: false,
    handler: (req, ctx) => {
      const code = req.params.code!
      const found = open(ctx, code)
      if ('page' in found) return found.page
      const { ctx: c, kind, id } = found
      if (kind === 'payment_link') {
        const link = c.state.billing.paymentLinks.get(id)
        return link ? linkPage(code, link) : errorPage(400, MESSAGES.idNotFound)
      }
      const sub = c.state.billing.subscriptions.get(id)
      if (!sub) return errorPage(400, MESSAGES.idNotFound)
      return authorisationPage(c, code, sub, record(req.query))
    },
  }),
  route({
    // checkout.js with the `subscription_id` option: the same authorisation page, in its iframe.
    operation: 'checkout.subscription',
    method: 'GET',
    path: '/checkout/subscriptions/:subscription_id',
    auth: false,
    handler: (req, ctx) => {
      const query = record(req.query)
      const keyId = text(query.key_id) ?? text(query.key)
      const id = req.params.subscription_id!
      const hit = ctx.store.find((state) => state.billing.subscriptions.get(id))
      // A subscription of another merchant does not exist for this key.
      if (!hit || (keyId !== undefined && keyId !== hit.account)) return errorPage(400, MESSAGES.idNotFound)
      const c = ctx.forAccount(hit.account)
      const code = [...c.state.billing.shortLinks].find(([, link]) => link.id === id)?.[0]
      if (!code) return errorPage(400, MESSAGES.idNotFound)
      return authorisationPage(c, code, hit.found, query)
    },
  }),
  route({
    operation: 'hosted.pay',
    method: 'POST',
    path: '/i/:code/pay',
    auth: false,
    handler: (req, ctx) => {
      const code = req.params.code!
      const found = open(ctx, code)
      if ('page' in found) return found.page
      const { ctx: c, kind, id } = found
      const body = record(req.body)
      const input = entered(body)
      if (kind === 'payment_link') {
        const link = c.state.billing.paymentLinks.get(id)
        if (!link) return errorPage(400, MESSAGES.idNotFound)
        if (typeof input === 'string') return linkPage(code, link, input)
        const amount = Number(text(body.amount) ?? link.amount - link.amount_paid)
        const wrong = checkLinkAmount(link, amount)
        if (wrong) return linkPage(code, link, wrong)
        return guarded(() => {
          const result = payLink(c, link, amount, input.details, input.failure)
          if (!result.ok) return hostedFailurePage(code, paymentFailures[result.reason], result.payment.id)
          const fields = linkCallback(c.state.keySecret ?? '', link, result.payment.id)
          // callback_method is always `get`: the customer is redirected with the fields in the query.
          if (link.callback_url)
            return {
              status: 303,
              headers: {
                location: `${link.callback_url}${link.callback_url.includes('?') ? '&' : '?'}${new URLSearchParams(fields)}`,
              },
              body: '',
            }
          return hostedSuccessPage(fields, undefined)
        })
      }
      const sub = c.state.billing.subscriptions.get(id)
      if (!sub) return errorPage(400, MESSAGES.idNotFound)
      const callbackUrl = text(body.callback_url)
      if (callbackUrl !== undefined && !isHttpUrl(callbackUrl))
        return errorPage(400, 'callback_url must be an http(s) URL')
      const embedded = embeddedFlag(body)
      if (typeof input === 'string')
        return subscriptionPage(code, sub, planOf(c, sub), callbackUrl, input, embedded)
      return guarded(() => {
        const result = authorizeSubscription(c, sub, input.mandate, input.failure)
        if (!result.ok)
          return hostedFailurePage(code, paymentFailures[result.reason], result.payment.id, embedded)
        // Subscription checkout signature: HMAC(key_secret, payment_id|subscription_id).
        const fields = {
          razorpay_payment_id: result.payment.id,
          razorpay_subscription_id: sub.id,
          razorpay_signature: checkoutSignature(c.state.keySecret ?? '', result.payment.id, sub.id),
        }
        return hostedSuccessPage(fields, callbackUrl, embedded)
      })
    },
  }),
]
