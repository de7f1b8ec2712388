import type { PlainResponse } from '../core/http.ts'
import type { PaymentRecord, WindowMethod } from './models.ts'
import { BANKS, DEFAULT_CARD } from './test-values.ts'

/**
 * The HTML of the hosted windows that stand in for Toss's browser SDK. Labels
 * are stable and accessible (tests find them by role and name): the "Card
 * number" and "Bank" fields, the "Payment method" radios, and the "Pay",
 * "Register card" and "Cancel" buttons.
 */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function html(status: number, title: string, body: string): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; background: #f2f4f6; margin: 0; }
main { max-width: 420px; margin: 40px auto; background: #fff; border-radius: 12px; padding: 24px; }
h1 { font-size: 18px; color: #3182f6; margin: 0 0 16px; }
.amount { font-size: 24px; font-weight: 700; }
label, legend { display: block; margin: 16px 0 4px; font-weight: 600; }
input, select { width: 100%; box-sizing: border-box; padding: 8px; font-size: 16px; }
fieldset { border: 0; padding: 0; }
fieldset label { font-weight: 400; margin: 4px 0; }
fieldset input { width: auto; }
.actions { display: flex; gap: 8px; margin-top: 24px; }
button { flex: 1; padding: 12px; font-size: 16px; border-radius: 8px; border: 0; }
button[value="pay"], button[value="register"] { background: #3182f6; color: #fff; }
[role="alert"] { color: #d22030; }
</style>
</head>
<body><main>
<h1>Toss Payments <small>(standin)</small></h1>
${body}
</main></body>
</html>`,
  }
}

/** A request the window cannot open (the SDK would reject requestPayment's promise with this code). */
export function errorPage(status: number, code: string, message: string): PlainResponse {
  return html(
    status,
    `${code} – Toss Payments`,
    `<p role="alert" data-code="${escapeHtml(code)}"><strong>${escapeHtml(code)}</strong> ${escapeHtml(message)}</p>`,
  )
}

const METHOD_NAMES: Record<WindowMethod, string> = {
  CARD: 'Card',
  TRANSFER: 'Account transfer',
  VIRTUAL_ACCOUNT: 'Virtual account',
  MOBILE_PHONE: 'Mobile phone',
  CULTURE_GIFT_CERTIFICATE: 'Culture gift certificate',
  FOREIGN_EASY_PAY: 'PayPal',
}

function bankSelect(): string {
  const options = Object.entries(BANKS)
    .map(([code, name]) => `<option value="${code}">${escapeHtml(name)}</option>`)
    .join('')
  return `<label for="bank">Bank</label><select id="bank" name="bank">${options}</select>`
}

function cardField(): string {
  return `<label for="cardNumber">Card number</label>
<input id="cardNumber" name="cardNumber" value="${DEFAULT_CARD}" inputmode="numeric" autocomplete="off">`
}

/** The payment window of one READY payment. */
export function checkoutPage(record: PaymentRecord): PlainResponse {
  const p = record.payment
  const fixed = record.session.requestedMethod
  let fields: string
  if (fixed) {
    fields = `<p>Payment method: <strong data-testid="method">${METHOD_NAMES[fixed]}</strong></p>`
    if (fixed === 'CARD') fields += cardField()
    if (fixed === 'TRANSFER' || fixed === 'VIRTUAL_ACCOUNT') fields += bankSelect()
  } else {
    // PayPal takes USD only; every other method takes won.
    const offered = (Object.keys(METHOD_NAMES) as WindowMethod[]).filter(
      (m) => (m === 'FOREIGN_EASY_PAY') === (p.currency === 'USD'),
    )
    const radios = offered
      .map(
        (m, i) =>
          `<label><input type="radio" name="method" value="${m}"${i === 0 ? ' checked' : ''}> ${METHOD_NAMES[m]}</label>`,
      )
      .join('')
    fields = `<fieldset><legend>Payment method</legend>${radios}</fieldset>${cardField()}${bankSelect()}`
  }
  return html(
    200,
    `${p.orderName} – Toss Payments`,
    `<p data-testid="order-name">${escapeHtml(p.orderName)}</p>
<p class="amount" data-testid="amount">${p.currency === 'USD' ? `${p.totalAmount.toFixed(2)} USD` : `${p.totalAmount.toLocaleString('ko-KR')}원`}</p>
<form method="post" action="/v1/payments/${encodeURIComponent(p.paymentKey)}/checkout">
${fields}
<div class="actions">
<button type="submit" name="action" value="pay">Pay</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>`,
  )
}

/** The billing-authorization window (requestBillingAuth): registers a card for a customerKey. */
export function billingPage(hidden: Record<string, string>): PlainResponse {
  const inputs = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n')
  return html(
    200,
    'Register a card – Toss Payments',
    `<p>Register a card for automatic payments</p>
<form method="post" action="/v1/billing-window">
${inputs}
${cardField()}
<div class="actions">
<button type="submit" name="action" value="register">Register card</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>`,
  )
}

/** A 303 to the app (successUrl or failUrl) with Toss's query parameters appended to its own. */
export function redirectTo(url: string, params: Record<string, string>): PlainResponse {
  const target = new URL(url)
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value)
  return { status: 303, headers: { location: target.toString(), 'cache-control': 'no-store' } }
}
