import type { PlainResponse } from '../../core/http.ts'
import type { PaymentLink, Plan, Subscription } from '../billing-models.ts'
import type { PaymentFailure } from '../errors.ts'
import { esc, layout, money } from './page.ts'

/**
 * The pages at a short_url: a subscription's authorisation page and a payment
 * link's payment page. Same contract style as the checkout (README): stable
 * labels and test ids, no cookies; the short code is the session.
 *
 * Labels: `Card number`, `UPI ID`, `Email`, `Phone`, (links with
 * accept_partial) `Amount`; buttons **Authorise with card** / **Authorise with
 * UPI** (subscriptions), **Pay with card** / **Pay with UPI** (links).
 */

function methodForms(action: string, hidden: string, verb: string, extra = ''): string {
  return `<section aria-labelledby="card-h"><h2 id="card-h">Card</h2>
<form method="post" action="${action}">${hidden}<input type="hidden" name="method" value="card">${extra}
<label for="card-number">Card number</label><input id="card-number" name="card[number]" inputmode="numeric">
<label for="card-expiry">Expiry (MM/YY)</label><input id="card-expiry" name="card[expiry]" value="12/30">
<label for="card-cvv">CVV</label><input id="card-cvv" name="card[cvv]" value="123">
<button type="submit">${verb} with card</button></form></section>
<section aria-labelledby="upi-h"><h2 id="upi-h">UPI</h2>
<form method="post" action="${action}">${hidden}<input type="hidden" name="method" value="upi">${extra}
<label for="upi-vpa">UPI ID</label><input id="upi-vpa" name="vpa" placeholder="success@razorpay">
<button type="submit">${verb} with UPI</button></form></section>`
}

function contactFields(email: string, contact: string): string {
  return `<label for="email">Email</label><input id="email" name="email" value="${esc(email)}">
<label for="contact">Phone</label><input id="contact" name="contact" value="${esc(contact)}">`
}

/** Opened by checkout.js in an iframe (`embedded`): results go to the parent window by postMessage. */
function notifyParent(message: Record<string, unknown>): string {
  return `if (window.parent && window.parent !== window) window.parent.postMessage(${JSON.stringify({ source: 'standin-razorpay', ...message }).replace(/</g, '\\u003c')}, '*');`
}

export function subscriptionPage(
  code: string,
  sub: Subscription,
  plan: Plan,
  callbackUrl: string | undefined,
  error?: string,
  embedded = false,
): PlainResponse {
  const hidden =
    (callbackUrl ? `<input type="hidden" name="callback_url" value="${esc(callbackUrl)}">` : '') +
    (embedded ? '<input type="hidden" name="embedded" value="1">' : '')
  const every = `${plan.interval > 1 ? `${plan.interval} ` : ''}${plan.period}`
  return {
    ...layout(
      'Authorise subscription – Razorpay',
      `<p class="test">Test mode</p><h1>${esc(plan.item.name)}</h1>
<p>Subscription <span data-testid="subscription-id">${esc(sub.id)}</span> · <strong data-testid="amount">${esc(money(plan.item.amount * sub.quantity, plan.item.currency))}</strong> ${esc(every)} · ${esc(sub.total_count)} cycles</p>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<p class="muted">Status <span data-testid="status">${esc(sub.status)}</span></p>
${sub.status === 'created' ? methodForms(`/i/${esc(code)}/pay`, hidden + contactFields('gaurav.kumar@example.com', '+919999999999'), 'Authorise') : ''}`,
    ),
    status: error ? 400 : 200,
  }
}

export function linkPage(code: string, link: PaymentLink, error?: string): PlainResponse {
  const due = link.amount - link.amount_paid
  const payable = link.status === 'created' || link.status === 'partially_paid'
  const amountField = link.accept_partial
    ? `<label>Amount <input name="amount" inputmode="numeric" value="${esc(due)}"></label>`
    : `<input type="hidden" name="amount" value="${esc(due)}">`
  return {
    ...layout(
      `${link.description || 'Payment request'} – Razorpay`,
      `<p class="test">Test mode</p><h1>${esc(link.description || 'Payment request')}</h1>
<p>Payment link <span data-testid="payment-link-id">${esc(link.id)}</span> · <strong data-testid="amount">${esc(money(due, link.currency))}</strong> due</p>
<p class="muted">Status <span data-testid="status">${esc(link.status)}</span></p>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
${payable ? methodForms(`/i/${esc(code)}/pay`, contactFields(link.customer.email ?? 'gaurav.kumar@example.com', link.customer.contact ?? '+919999999999'), 'Pay', amountField) : ''}`,
    ),
    status: error ? 400 : 200,
  }
}

/** Success: the fields as test ids, POSTed (subscriptions) to callback_url if one was given. */
export function hostedSuccessPage(
  fields: Record<string, string>,
  callbackUrl: string | undefined,
  embedded = false,
): PlainResponse {
  const list = Object.entries(fields)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd data-testid="${esc(k)}">${esc(v)}</dd>`)
    .join('')
  const form = callbackUrl
    ? `<form id="rzp-callback" method="post" action="${esc(callbackUrl)}">${Object.entries(fields)
        .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
        .join('')}<button type="submit">Return to merchant</button></form>`
    : ''
  return layout(
    'Payment successful',
    `<h1>Payment successful</h1><dl>${list}</dl>${form}`,
    form
      ? `document.getElementById('rzp-callback').submit();`
      : embedded
        ? notifyParent({ type: 'payment.success', response: fields })
        : '',
  )
}

export function hostedFailurePage(
  code: string,
  failure: PaymentFailure,
  paymentId: string,
  embedded = false,
): PlainResponse {
  const error = {
    code: failure.code,
    description: failure.description,
    source: failure.source,
    step: failure.step,
    reason: failure.reason,
    metadata: { payment_id: paymentId },
    field: null,
  }
  return {
    ...layout(
      'Payment failed',
      `<h1>Payment failed</h1><p role="alert" data-testid="error-description">${esc(failure.description)}</p>
<p class="muted">Reason: <span data-testid="error-reason">${esc(failure.reason)}</span> · payment <span data-testid="payment-id">${esc(paymentId)}</span></p>
<p><a href="/i/${esc(code)}${embedded ? '?embedded=1' : ''}">Retry payment</a></p>`,
      embedded ? notifyParent({ type: 'payment.failed', response: { error } }) : '',
    ),
    status: 200,
  }
}
