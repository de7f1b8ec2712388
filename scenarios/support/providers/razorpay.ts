/**
 * Drives Razorpay Standard Checkout in a real browser, as a buyer does: a shop
 * page loads checkout.js, opens the checkout for the app's order, and the buyer
 * pays with a card (answering the test bank page), with UPI, or closes it. The
 * shop page is a stand-in for the app's own front end (served by the browser
 * itself, on an origin of its own): what it does is what Razorpay's docs tell
 * every integration to do — pass `key` and `order_id`, and hand the `handler`
 * result to the app's server, which must verify `razorpay_signature`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import { payOrder } from '../../../simulators/razorpay/checkout/driver.ts'

/** Razorpay's documented test inputs. */
export const RAZORPAY_TEST = {
  card: '4100 2800 0000 1007',
  insufficientFundsCard: '4100 2800 0008 0001',
  upiSuccess: 'success@razorpay',
  upiFailure: 'failure@razorpay',
} as const

/** What checkout.js hands the shop's `handler` on success: the proof the app must verify. */
export interface RazorpayHandlerResult {
  razorpay_payment_id: string
  razorpay_order_id: string
  razorpay_signature: string
}

export type RazorpayOutcome =
  | { outcome: 'paid'; response: RazorpayHandlerResult }
  | { outcome: 'failed'; reason: string; description: string; paymentId?: string }
  | { outcome: 'dismissed' }

export interface RazorpayCheckout {
  /** Razorpay's base URL (standin's Razorpay port): checkout.js is served there. */
  baseUrl: string
  /** The app's key id (the buy step's providerKey). */
  keyId: string
  /** The app's Razorpay order (the buy step's providerOrderId). */
  orderId: string
}

export type RazorpayAction =
  | { method: 'card'; number: string; bank: 'success' | 'failure' | 'cancel' }
  | { method: 'upi'; vpa: string }
  | { method: 'close' }

let shop: Promise<string> | undefined
/**
 * The shop's origin: a real loopback server (started once per process), because
 * Chromium lets only a page from the local address space load checkout.js from
 * a standin on 127.0.0.1 (Private Network Access); a routed fake origin is refused.
 */
function shopUrl(): Promise<string> {
  shop ??= new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://shop').searchParams
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(
        shopPage({
          baseUrl: query.get('base') ?? '',
          keyId: query.get('key') ?? '',
          orderId: query.get('order_id') ?? '',
        }),
      )
    })
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.unref()
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    })
  })
  return shop
}

/**
 * Opens Razorpay Checkout (checkout.js, in its iframe) for the app's order and does what the buyer chooses.
 * @example
 * const r = await payRazorpay(page, { baseUrl, keyId: buy.out.providerKey, orderId: buy.out.providerOrderId },
 *   { method: 'card', number: RAZORPAY_TEST.card, bank: 'success' })
 * if (r.outcome === 'paid') await target.run('verifyRazorpay', { paymentId, ...r.response }, session)
 */
export async function payRazorpay(
  page: Page,
  checkout: RazorpayCheckout,
  action: RazorpayAction,
): Promise<RazorpayOutcome> {
  const query = new URLSearchParams({
    base: checkout.baseUrl,
    key: checkout.keyId,
    order_id: checkout.orderId,
  })
  await page.goto(`${await shopUrl()}/buy?${query}`)
  await page.getByRole('button', { name: 'Buy' }).click()
  const frame = page.frameLocator('iframe[title="Razorpay Checkout"]')
  if (action.method === 'close') await frame.getByRole('button', { name: 'Close checkout' }).click()
  else if (action.method === 'upi') {
    await frame.getByLabel('UPI ID').fill(action.vpa)
    await frame.getByRole('button', { name: 'Pay with UPI' }).click()
  } else {
    await frame.getByLabel('Card number').fill(action.number)
    await frame.getByRole('button', { name: 'Pay with card' }).click()
    const label = { success: 'Success', failure: 'Failure', cancel: 'Cancel payment' }[action.bank]
    await frame.getByRole('button', { name: label }).click()
  }
  const result = page.getByTestId('result')
  await result.waitFor({ state: 'attached' })
  return JSON.parse((await result.textContent()) ?? '{}') as RazorpayOutcome
}

/**
 * The same checkout completed over plain HTTP (the hosted page's own form posts), for journeys
 * that need a paid order but not a browser.
 * @example
 * const r = await payRazorpayOverHttp(checkout, { method: 'upi', vpa: RAZORPAY_TEST.upiSuccess })
 */
export async function payRazorpayOverHttp(
  checkout: RazorpayCheckout,
  action: Exclude<RazorpayAction, { method: 'close' }>,
): Promise<RazorpayOutcome> {
  const paid = await payOrder(
    checkout.baseUrl,
    checkout.orderId,
    action.method === 'upi'
      ? { method: 'upi', vpa: action.vpa }
      : { method: 'card', number: action.number.replace(/\s/g, ''), outcome: action.bank },
  )
  if (paid.ok) return { outcome: 'paid', response: paid.response }
  return {
    outcome: 'failed',
    reason: paid.reason ?? '',
    description: paid.description ?? '',
    ...(paid.paymentId ? { paymentId: paid.paymentId } : {}),
  }
}

/** The shop's page: checkout.js with the documented options; the outcome is written where the journey reads it. */
function shopPage(c: RazorpayCheckout): string {
  const options = JSON.stringify({ key: c.keyId, order_id: c.orderId, name: 'standin journey shop' })
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<button id="buy">Buy</button><pre data-testid="result" hidden></pre>
<script src="${c.baseUrl.replace(/\/$/, '')}/v1/checkout.js"></script>
<script>
  var done = function (value) {
    var el = document.createElement('pre'); el.setAttribute('data-testid', 'result'); el.hidden = true;
    el.textContent = JSON.stringify(value); document.body.appendChild(el);
  };
  document.querySelector('[data-testid=result]').remove();
  document.getElementById('buy').onclick = function () {
    var options = ${options};
    options.handler = function (r) { done({ outcome: 'paid', response: r }); };
    options.modal = { ondismiss: function () { done({ outcome: 'dismissed' }); } };
    var rzp = new Razorpay(options);
    rzp.on('payment.failed', function (r) {
      done({ outcome: 'failed', reason: r.error.reason, description: r.error.description, paymentId: r.error.metadata.payment_id });
    });
    rzp.open();
  };
</script></body></html>`
}
