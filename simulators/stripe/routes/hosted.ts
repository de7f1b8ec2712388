import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import { authenticateCheckout, type CheckoutResult, payCheckout } from '../checkout.ts'
import type { CheckoutSession, PaymentIntent } from '../models.ts'
import { completeAuthentication } from '../payments.ts'
import { completeSetupAuthentication } from '../setup-intents.ts'
import type { StripeContext } from '../state.ts'
import { lookupCard } from '../test-values.ts'
import { route } from './shared.ts'

/**
 * The browser side: the hosted Checkout page at a session's `url`, and the
 * 3-D Secure page a `requires_action` PaymentIntent redirects to. Both find
 * their account from the object in the path, as a browser sends no API key.
 */
export const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

export const money = (amount: number, currency: string) =>
  `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`

export function page(title: string, body: string, status = 200): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}input{width:100%;padding:.5rem;box-sizing:border-box;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem;background:#635bff;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#e3e8ee;color:#1a1f36}.error{color:#df1b41;margin-top:.75rem}.note{color:#697386;font-size:.8rem}</style>
</head><body>${body}<p class="note">standin test double of Stripe: no real payment is made.</p></body></html>`,
  }
}

export const redirect = (location: string): PlainResponse => ({
  status: 303,
  headers: { location },
  body: '',
})

function findSession(
  ctx: StripeContext,
  id: string,
): { ctx: StripeContext; session: CheckoutSession } | undefined {
  const hit = ctx.store.find((state) => state.checkoutSessions.get(id))
  return hit ? { ctx: ctx.forAccount(hit.account), session: hit.found } : undefined
}

function findIntent(ctx: StripeContext, id: string): { ctx: StripeContext; pi: PaymentIntent } | undefined {
  const hit = ctx.store.find((state) => state.paymentIntents.get(id))
  return hit ? { ctx: ctx.forAccount(hit.account), pi: hit.found } : undefined
}

export const notFound = () =>
  page(
    'Not found',
    '<h1>Something went wrong</h1><p data-testid="not-found">The page you were looking for could not be found.</p>',
    404,
  )

function payPage(ctx: StripeContext, session: CheckoutSession, error?: string): PlainResponse {
  if (session.status === 'complete')
    return page(
      'Payment complete',
      '<h1 data-testid="complete">Thanks for your payment</h1><p>This Checkout Session is complete.</p>',
    )
  if (session.status === 'expired')
    return page('Session expired', '<h1 data-testid="expired">This Checkout Session has expired</h1>')
  const lines = session._lineItems
    .map((l) => {
      const price = ctx.state.prices.get(l.price)
      const product = price ? ctx.state.products.get(price.product) : undefined
      const every = price?.recurring ? ` / ${price.recurring.interval}` : ''
      return `<li>${esc(product?.name ?? 'Item')} × ${l.quantity}: ${money(l.amount, l.currency)}${every}</li>`
    })
    .join('')
  const base = `/c/pay/${session.id}`
  return page(
    'Pay',
    `<h1>${session.mode === 'subscription' ? 'Subscribe' : 'Pay'} <span data-testid="amount">${money(session.amount_total ?? 0, session.currency ?? 'usd')}</span></h1>
<ul data-testid="line-items">${lines}</ul>
<form method="post" action="${base}" data-testid="payment-form">
<label for="email">Email</label><input id="email" name="email" type="email" value="${esc(session.customer_email ?? '')}" required>
<label for="cardNumber">Card number</label><input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<label for="cardExpiry">Expiration (MM / YY)</label><input id="cardExpiry" name="cardExpiry" placeholder="MM / YY" required>
<label for="cardCvc">CVC</label><input id="cardCvc" name="cardCvc" placeholder="CVC" required>
<label for="billingName">Name on card</label><input id="billingName" name="billingName">
${error ? `<p class="error" role="alert" data-testid="error">${esc(error)}</p>` : ''}
<button type="submit" data-testid="submit">${session.mode === 'subscription' ? 'Subscribe' : 'Pay'}</button>
</form>
${session.cancel_url ? `<p><a href="${base}/cancel" data-testid="cancel">← Back</a></p>` : ''}`,
  )
}

function parseExpiry(value: string): { month: number; year: number } | undefined {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value)
  if (!m) return undefined
  const month = Number(m[1])
  const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2])
  return month >= 1 && month <= 12 ? { month, year } : undefined
}

function afterResult(ctx: StripeContext, session: CheckoutSession, result: CheckoutResult): PlainResponse {
  if (result.kind === 'authenticate') return redirect(`/c/pay/${session.id}/3ds`)
  if (result.kind === 'declined') return payPage(ctx, session, result.message)
  return redirect((session.success_url ?? '/').replaceAll('{CHECKOUT_SESSION_ID}', session.id))
}

function authPage(action: string, amount: string): PlainResponse {
  return page(
    '3D Secure authentication',
    `<h1>3D Secure test payment page</h1><p>This test card requires authentication of <strong>${esc(amount)}</strong>.</p>
<form method="post" action="${action}"><input type="hidden" name="action" value="complete">
<button type="submit" data-testid="complete-authentication">Complete authentication</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="fail">
<button type="submit" class="secondary" data-testid="fail-authentication">Fail authentication</button></form>`,
  )
}

const field = (req: PlainRequest, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v : ''
}

function authenticateSetup(req: PlainRequest, ctx: StripeContext): PlainResponse {
  const hit = ctx.store.find((state) => state.setupIntents.get(req.params.intent!))
  if (!hit) return notFound()
  const actx = ctx.forAccount(hit.account)
  const si = hit.found
  const outcome = completeSetupAuthentication(
    { ctx: actx, at: actx.clock.unix(), request: null },
    si,
    field(req, 'action') === 'complete',
  )
  const status = outcome.kind === 'failed' ? 'failed' : 'succeeded'
  if (si._returnUrl) {
    const url = new URL(si._returnUrl)
    url.searchParams.set('setup_intent', si.id)
    url.searchParams.set('setup_intent_client_secret', String(si.client_secret))
    url.searchParams.set('redirect_status', status)
    return redirect(url.toString())
  }
  return page(
    'Authentication',
    `<h1 data-testid="done">Authentication ${status}</h1><p>You can close this window.</p>`,
  )
}

export const hosted = [
  route({
    operation: 'checkout.page',
    method: 'GET',
    path: '/c/pay/:session',
    auth: false,
    handler: (req, ctx) => {
      const hit = findSession(ctx, req.params.session!)
      return hit ? payPage(hit.ctx, hit.session) : notFound()
    },
  }),
  route({
    operation: 'checkout.page.submit',
    method: 'POST',
    path: '/c/pay/:session',
    auth: false,
    idempotent: false,
    handler: (req, ctx) => {
      const hit = findSession(ctx, req.params.session!)
      if (!hit) return notFound()
      const { session } = hit
      if (session.status !== 'open') return payPage(hit.ctx, session)
      const number = field(req, 'cardNumber').replace(/\s/g, '')
      const expiry = parseExpiry(field(req, 'cardExpiry'))
      const cvc = field(req, 'cardCvc').trim()
      if (!lookupCard(number)) return payPage(hit.ctx, session, 'Your card number is invalid.')
      if (!expiry) return payPage(hit.ctx, session, "Your card's expiration date is incomplete.")
      const now = new Date(hit.ctx.clock.now())
      if (
        expiry.year < now.getUTCFullYear() ||
        (expiry.year === now.getUTCFullYear() && expiry.month < now.getUTCMonth() + 1)
      )
        return payPage(hit.ctx, session, "Your card's expiration year is in the past.")
      if (!/^\d{3,4}$/.test(cvc)) return payPage(hit.ctx, session, "Your card's security code is incomplete.")
      const src = { ctx: hit.ctx, at: hit.ctx.clock.unix(), request: null }
      const result = payCheckout(src, session, {
        email: field(req, 'email'),
        name: field(req, 'billingName'),
        number,
        exp_month: expiry.month,
        exp_year: expiry.year,
        cvc,
      })
      return afterResult(hit.ctx, session, result)
    },
  }),
  route({
    operation: 'checkout.page.cancel',
    method: 'GET',
    path: '/c/pay/:session/cancel',
    auth: false,
    handler: (req, ctx) => {
      const hit = findSession(ctx, req.params.session!)
      if (!hit) return notFound()
      // Leaving the page keeps the session open, as Stripe does.
      return hit.session.cancel_url
        ? redirect(hit.session.cancel_url.replaceAll('{CHECKOUT_SESSION_ID}', hit.session.id))
        : payPage(hit.ctx, hit.session)
    },
  }),
  route({
    operation: 'checkout.page.authenticate',
    method: 'GET',
    path: '/c/pay/:session/3ds',
    auth: false,
    handler: (req, ctx) => {
      const hit = findSession(ctx, req.params.session!)
      if (!hit) return notFound()
      if (hit.session.status !== 'open') return payPage(hit.ctx, hit.session)
      return authPage(
        `/c/pay/${hit.session.id}/3ds`,
        money(hit.session.amount_total ?? 0, hit.session.currency ?? 'usd'),
      )
    },
  }),
  route({
    operation: 'checkout.page.authenticate.submit',
    method: 'POST',
    path: '/c/pay/:session/3ds',
    auth: false,
    idempotent: false,
    handler: (req, ctx) => {
      const hit = findSession(ctx, req.params.session!)
      if (!hit) return notFound()
      if (hit.session.status !== 'open') return payPage(hit.ctx, hit.session)
      const src = { ctx: hit.ctx, at: hit.ctx.clock.unix(), request: null }
      return afterResult(
        hit.ctx,
        hit.session,
        authenticateCheckout(src, hit.session, field(req, 'action') === 'complete'),
      )
    },
  }),
  route({
    operation: 'payment_intents.authenticate_page',
    method: 'GET',
    path: '/3ds/:intent',
    auth: false,
    handler: (req, ctx) => {
      if (req.params.intent!.startsWith('seti_')) {
        const setup = ctx.store.find((state) => state.setupIntents.get(req.params.intent!))
        if (!setup) return notFound()
        if (setup.found.status !== 'requires_action')
          return page(
            'Authentication',
            `<h1 data-testid="done">Nothing to authenticate</h1><p>This setup has a status of ${esc(setup.found.status)}.</p>`,
          )
        return authPage(`/3ds/${setup.found.id}`, 'saving this card (no charge)')
      }
      const hit = findIntent(ctx, req.params.intent!)
      if (!hit) return notFound()
      if (hit.pi.status !== 'requires_action')
        return page(
          'Authentication',
          `<h1 data-testid="done">Nothing to authenticate</h1><p>This payment has a status of ${esc(hit.pi.status)}.</p>`,
        )
      return authPage(`/3ds/${hit.pi.id}`, money(hit.pi.amount, hit.pi.currency))
    },
  }),
  route({
    operation: 'payment_intents.authenticate_page.submit',
    method: 'POST',
    path: '/3ds/:intent',
    auth: false,
    idempotent: false,
    handler: (req, ctx) => {
      if (req.params.intent!.startsWith('seti_')) return authenticateSetup(req, ctx)
      const hit = findIntent(ctx, req.params.intent!)
      if (!hit) return notFound()
      const { pi } = hit
      const src = { ctx: hit.ctx, at: hit.ctx.clock.unix(), request: null }
      const outcome = completeAuthentication(src, pi, field(req, 'action') === 'complete')
      const status = outcome.kind === 'declined' ? 'failed' : 'succeeded'
      if (pi._returnUrl) {
        const url = new URL(pi._returnUrl)
        url.searchParams.set('payment_intent', pi.id)
        url.searchParams.set('payment_intent_client_secret', String(pi.client_secret))
        url.searchParams.set('redirect_status', status)
        return redirect(url.toString())
      }
      return page(
        'Authentication',
        `<h1 data-testid="done">Authentication ${status}</h1><p>You can close this window.</p>`,
      )
    },
  }),
  // The pages behind an invoice's hosted_invoice_url and a charge's receipt_url: read-only summaries.
  route({
    operation: 'invoices.hosted_page',
    method: 'GET',
    path: '/invoices/:invoice',
    auth: false,
    handler: (req, ctx) => {
      const hit = ctx.store.find((state) => state.invoices.get(req.params.invoice!))
      if (!hit) return notFound()
      const invoice = hit.found
      return page(
        `Invoice ${invoice.number ?? invoice.id}`,
        `<h1>Invoice <span data-testid="number">${esc(invoice.number ?? invoice.id)}</span></h1>
<p>Amount due: <strong data-testid="amount-due">${money(invoice.amount_due, invoice.currency)}</strong></p>
<p>Status: <strong data-testid="status">${esc(invoice.status)}</strong></p>`,
      )
    },
  }),
  route({
    operation: 'charges.receipt_page',
    method: 'GET',
    path: '/receipts/:charge',
    auth: false,
    handler: (req, ctx) => {
      const hit = ctx.store.find((state) => state.charges.get(req.params.charge!))
      if (!hit) return notFound()
      const charge = hit.found
      return page(
        'Receipt',
        `<h1>Receipt</h1><p>Amount paid: <strong data-testid="amount">${money(charge.amount_captured, charge.currency)}</strong></p>
<p>Refunded: <span data-testid="refunded">${money(charge.amount_refunded, charge.currency)}</span></p>`,
      )
    },
  }),
]
