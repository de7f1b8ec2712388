import type { PlainResponse } from '../../core/http.ts'
import type { PaymentFailure } from '../errors.ts'
import type { Order } from '../models.ts'
import { BANKS } from '../test-values.ts'

/**
 * The hosted checkout pages, as plain HTML with stable accessible names (the
 * page contract in README.md). Every page carries the session (callback URL,
 * embedded flag, prefill) in hidden fields, so the flow needs no cookies.
 */
export interface Session {
  callbackUrl: string | undefined
  /** Hosted Checkout's `cancel_url`: where "Close checkout" sends the browser (GET). */
  cancelUrl: string | undefined
  /** Opened by checkout.js in an iframe: results also go to the parent window by postMessage. */
  embedded: boolean
  keyId: string | undefined
  name: string
  /** The checkout `description` option; it becomes the payment's `description`. */
  description: string | undefined
  email: string
  contact: string
}

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function money(amount: number, currency: string): string {
  const major = (amount / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  return currency === 'INR' ? `₹${major}` : `${currency} ${major}`
}

function sessionFields(s: Session): string {
  const fields: [string, string | undefined][] = [
    ['callback_url', s.callbackUrl],
    ['cancel_url', s.cancelUrl],
    ['embedded', s.embedded ? '1' : undefined],
    ['key_id', s.keyId],
    ['name', s.name],
    ['description', s.description],
    ['prefill[email]', s.email],
    ['prefill[contact]', s.contact],
  ]
  return fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')
}

export function layout(title: string, body: string, script = ''): PlainResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f3f5f9;margin:0;color:#1f2937}
main{max-width:420px;margin:24px auto;background:#fff;border-radius:8px;box-shadow:0 2px 12px #0002;padding:20px}
h1{font-size:1.2rem;margin:0 0 4px}h2{font-size:1rem;margin:16px 0 8px}
section{border-top:1px solid #e5e7eb;padding-top:8px}label{display:block;font-size:.85rem;margin:6px 0 2px}
input,select{width:100%;box-sizing:border-box;padding:8px;border:1px solid #cbd5e1;border-radius:4px}
button{margin-top:10px;padding:9px 14px;border:0;border-radius:4px;background:#2b6de8;color:#fff;cursor:pointer}
button.secondary{background:#e5e7eb;color:#111}[role=alert]{color:#b91c1c;margin:8px 0}
.muted{color:#6b7280;font-size:.85rem}.test{background:#fef3c7;padding:4px 8px;border-radius:4px;font-size:.8rem}
</style></head>
<body><main>${body}</main>${script ? `<script>${script}</script>` : ''}</body></html>`
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: html,
  }
}

/** The first page: order summary and one form per method. */
export function methodPage(order: Order, s: Session, error?: string): PlainResponse {
  const action = `/checkout/${esc(order.id)}`
  const hidden = sessionFields(s)
  const banks = Object.entries(BANKS)
    .map(([code, name]) => `<option value="${esc(code)}">${esc(name)}</option>`)
    .join('')
  return layout(
    `${s.name} – Razorpay Checkout`,
    `<p class="test">Test mode</p>
<h1>${esc(s.name)}</h1>${s.description ? `<p class="muted">${esc(s.description)}</p>` : ''}
<p>Order <span data-testid="order-id">${esc(order.id)}</span> · <strong data-testid="amount">${esc(money(order.amount, order.currency))}</strong></p>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<section aria-labelledby="card-h"><h2 id="card-h">Card</h2>
<form method="post" action="${action}/pay">${hidden}<input type="hidden" name="method" value="card">
<label for="card-number">Card number</label><input id="card-number" name="card[number]" inputmode="numeric" autocomplete="cc-number">
<label for="card-expiry">Expiry (MM/YY)</label><input id="card-expiry" name="card[expiry]" value="12/30">
<label for="card-cvv">CVV</label><input id="card-cvv" name="card[cvv]" value="123">
<label for="card-name">Name on card</label><input id="card-name" name="card[name]" value="Test Customer">
<button type="submit">Pay with card</button></form></section>
<section aria-labelledby="upi-h"><h2 id="upi-h">UPI</h2>
<form method="post" action="${action}/pay">${hidden}<input type="hidden" name="method" value="upi">
<label for="upi-vpa">UPI ID</label><input id="upi-vpa" name="vpa" placeholder="success@razorpay">
<button type="submit">Pay with UPI</button></form></section>
<section aria-labelledby="nb-h"><h2 id="nb-h">Netbanking</h2>
<form method="post" action="${action}/pay">${hidden}<input type="hidden" name="method" value="netbanking">
<label for="nb-bank">Bank</label><select id="nb-bank" name="bank">${banks}</select>
<button type="submit">Pay with netbanking</button></form></section>
<form method="post" action="${action}/cancel">${hidden}<button type="submit" class="secondary">Close checkout</button></form>`,
  )
}

/** Razorpay's test-mode mock bank page: the customer chooses the outcome. */
export function bankPage(order: Order, paymentId: string, s: Session, what: string): PlainResponse {
  const action = `/checkout/payments/${esc(paymentId)}/complete`
  const button = (outcome: string, label: string, cls = '') =>
    `<form method="post" action="${action}" style="display:inline">${sessionFields(s)}<input type="hidden" name="outcome" value="${outcome}"><button type="submit"${cls ? ` class="${cls}"` : ''}>${label}</button></form> `
  return layout(
    'Razorpay test bank',
    `<p class="test">Test mode</p><h1>Razorpay test bank</h1>
<p>${esc(what)} · <strong>${esc(money(order.amount, order.currency))}</strong></p>
<p class="muted">Payment <span data-testid="payment-id">${esc(paymentId)}</span>. This is a mock page: choose how the bank answers.</p>
${button('success', 'Success')}${button('failure', 'Failure')}${button('cancel', 'Cancel payment', 'secondary')}`,
  )
}

export interface SuccessResponse {
  razorpay_payment_id: string
  razorpay_order_id: string
  razorpay_signature: string
}

/** Hidden form POSTed to the callback URL, submitted at once (as Razorpay's redirect does). */
function callbackForm(s: Session, fields: Record<string, string>): string {
  if (!s.callbackUrl) return ''
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')
  return `<form id="rzp-callback" method="post" action="${esc(s.callbackUrl)}"${s.embedded ? ' target="_top"' : ''}>${inputs}<button type="submit">Return to merchant</button></form>`
}

/** Tells the parent window (checkout.js) what happened. */
function notifyParent(message: unknown): string {
  return `if (window.parent && window.parent !== window) window.parent.postMessage(${JSON.stringify({ source: 'standin-razorpay', ...(message as object) }).replace(/</g, '\\u003c')}, '*');`
}

const SUBMIT = `var f=document.getElementById('rzp-callback'); if (f) f.submit();`

export function successPage(order: Order, s: Session, response: SuccessResponse): PlainResponse {
  const embeddedWithoutCallback = s.embedded && !s.callbackUrl
  return layout(
    'Payment successful',
    `<h1>Payment successful</h1><p><strong>${esc(money(order.amount, order.currency))}</strong> paid.</p>
<dl><dt>razorpay_payment_id</dt><dd data-testid="razorpay_payment_id">${esc(response.razorpay_payment_id)}</dd>
<dt>razorpay_order_id</dt><dd data-testid="razorpay_order_id">${esc(response.razorpay_order_id)}</dd>
<dt>razorpay_signature</dt><dd data-testid="razorpay_signature">${esc(response.razorpay_signature)}</dd></dl>
${callbackForm(s, { ...response })}`,
    embeddedWithoutCallback ? notifyParent({ type: 'payment.success', response }) : SUBMIT,
  )
}

/** The `error` object of `payment.failed` and of a failed callback POST. */
export function errorObject(failure: PaymentFailure, metadata: Record<string, string>) {
  return {
    code: failure.code,
    description: failure.description,
    source: failure.source,
    step: failure.step,
    reason: failure.reason,
    metadata,
    field: null,
  }
}

export function failurePage(
  order: Order,
  s: Session,
  failure: PaymentFailure,
  metadata: Record<string, string>,
): PlainResponse {
  const error = errorObject(failure, metadata)
  const retry = new URLSearchParams()
  if (s.callbackUrl) retry.set('callback_url', s.callbackUrl)
  if (s.cancelUrl) retry.set('cancel_url', s.cancelUrl)
  if (s.embedded) retry.set('embedded', '1')
  if (s.keyId) retry.set('key_id', s.keyId)
  const fields: Record<string, string> = {
    'error[code]': error.code,
    'error[description]': error.description,
    'error[source]': error.source,
    'error[step]': error.step,
    'error[reason]': error.reason,
    'error[metadata]': JSON.stringify(metadata),
  }
  return layout(
    'Payment failed',
    `<h1>Payment failed</h1><p role="alert" data-testid="error-description">${esc(failure.description)}</p>
<p class="muted">Reason: <span data-testid="error-reason">${esc(failure.reason)}</span></p>
${callbackForm(s, fields)}
<p><a href="/checkout/${esc(order.id)}?${esc(retry.toString())}">Retry payment</a></p>`,
    s.embedded && !s.callbackUrl ? notifyParent({ type: 'payment.failed', response: { error } }) : SUBMIT,
  )
}

/** Closed before any attempt. */
export function dismissedPage(order: Order, s: Session, failure: PaymentFailure): PlainResponse {
  if (s.cancelUrl) return { status: 303, headers: { location: s.cancelUrl }, body: '' }
  if (s.callbackUrl) return failurePage(order, s, failure, { order_id: order.id })
  return layout(
    'Checkout closed',
    `<h1>Checkout closed</h1><p>No payment was made for order ${esc(order.id)}.</p>`,
    notifyParent({ type: 'dismiss' }),
  )
}

export function errorPage(status: number, message: string): PlainResponse {
  return { ...layout('Checkout error', `<h1>Checkout error</h1><p role="alert">${esc(message)}</p>`), status }
}
