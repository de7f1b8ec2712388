import { createHmac, randomBytes } from 'node:crypto'
import { providerUrl } from '../../support/providers/hub.ts'
import {
  payRazorpay,
  payRazorpayOverHttp,
  RAZORPAY_TEST,
  type RazorpayCheckout,
} from '../../support/providers/razorpay.ts'
import { expect, test } from '../../support/test.ts'
import {
  amountAtProvider,
  expectBalanceStays,
  fakeId,
  journalMark,
  paymentStatus,
  postForgedWebhook,
  priceOf,
  providerObject,
  startPurchase,
  waitForAcknowledged,
} from './purchase.ts'

const TAGS = ['@payments', '@razorpay', '@connecto', '@glimpse']

/** A checkout signature made with a key that is not the app's: what a forger can produce. */
const forgedSignature = (orderId: string, paymentId: string) =>
  createHmac('sha256', randomBytes(16)).update(`${orderId}|${paymentId}`).digest('hex')

test.describe('payments: Razorpay', () => {
  // catches: refund-keeps-credits, double-credit-on-duplicate, skip-razorpay-signature
  test('order + checkout in the browser: paid at the test bank, the genuine signature verified; credits once at the package price (checkout and webhook both); the proof replayed for another order is refused; a refund takes the credits back', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['razorpay'], steps: ['verifyRazorpay'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.rules.packages[1] ?? app.package()
    const start = await app.balance(session)
    const since = await app.now()
    const bought = await startPurchase(target, session, 'razorpay', pack)
    const checkout: RazorpayCheckout = {
      baseUrl: await providerUrl(standin, 'razorpay'),
      keyId: String(bought.out.providerKey ?? target.profile.providers.razorpay?.account),
      orderId: String(bought.out.providerOrderId),
    }
    const price = priceOf(pack, 'razorpay')
    if (price !== undefined)
      expect(await amountAtProvider(standin, target, 'razorpay', checkout.orderId, since)).toBe(price)

    const paid = await payRazorpay(page, checkout, {
      method: 'card',
      number: RAZORPAY_TEST.card,
      bank: 'success',
    })
    if (paid.outcome !== 'paid') throw new Error(`Razorpay checkout did not pay: ${JSON.stringify(paid)}`)
    expect(paid.response.razorpay_order_id).toBe(checkout.orderId)
    const verified = await target.run(
      'verifyRazorpay',
      { paymentId: bought.paymentId, ...paid.response },
      session,
    )
    expect(verified.ok, target.describe(verified)).toBe(true)
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    // Razorpay also reports the capture by webhook: once the app has acknowledged it, still one grant.
    await waitForAcknowledged(app, standin, {
      provider: 'razorpay',
      eventType: 'payment.captured',
      about: paid.response.razorpay_payment_id,
    })
    await waitForAcknowledged(app, standin, { provider: 'razorpay', about: checkout.orderId })
    expect(await app.balance(session), 'credits after the webhooks').toBe(start + pack.credits)
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')

    // The same genuine payment, claimed for a second order it did not pay, is refused.
    const second = await startPurchase(target, session, 'razorpay', pack)
    const replayed = await target.run(
      'verifyRazorpay',
      {
        paymentId: second.paymentId,
        ...paid.response,
        razorpay_order_id: String(second.out.providerOrderId),
      },
      session,
    )
    expect(target.isRefusal(replayed, 'paymentRejected'), target.describe(replayed)).toBe(true)
    expect(await paymentStatus(target, session, second.paymentId)).not.toBe('succeeded')
    expect(await app.balance(session), 'credits after the replayed proof').toBe(start + pack.credits)

    if (!target.hasStep('refund')) return
    const mark = await journalMark(standin)
    const refund = await target.run('refund', { paymentId: bought.paymentId }, session)
    expect(refund.ok, target.describe(refund)).toBe(true)
    await app.waitFor(
      () => app.balance(session),
      (b) => b === start,
      'the credits to be taken back',
    )
    const refunded = await standin.journal.wait({
      provider: 'razorpay',
      path: `/v1/payments/${paid.response.razorpay_payment_id}/refund`,
      afterSeq: mark,
      timeoutMs: app.rules.settleMs,
    })
    expect(refunded.status).toBeLessThan(300)
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: skip-razorpay-signature
  test('declined at the bank: no credits; a forged checkout signature for that payment is refused', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'payments', payment: ['razorpay'], steps: ['verifyRazorpay'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.rules.packages[1] ?? app.package()
    const start = await app.balance(session)
    const bought = await startPurchase(target, session, 'razorpay', pack)
    const orderId = String(bought.out.providerOrderId)
    const declined = await payRazorpayOverHttp(
      {
        baseUrl: await providerUrl(standin, 'razorpay'),
        keyId: String(bought.out.providerKey),
        orderId,
      },
      { method: 'card', number: RAZORPAY_TEST.insufficientFundsCard, bank: 'failure' },
    )
    expect(declined).toMatchObject({ outcome: 'failed', reason: 'insufficient_funds' })
    expect(await app.balance(session)).toBe(start)
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')

    // The buyer's browser hands the app a success it never had.
    const paymentId = (declined.outcome === 'failed' && declined.paymentId) || fakeId('pay_')
    const forged = await target.run(
      'verifyRazorpay',
      {
        paymentId: bought.paymentId,
        razorpay_order_id: orderId,
        razorpay_payment_id: paymentId,
        razorpay_signature: forgedSignature(orderId, paymentId),
      },
      session,
    )
    expect(target.isRefusal(forged, 'paymentRejected'), target.describe(forged)).toBe(true)
    expect(await app.balance(session)).toBe(start)
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: skip-webhook-signature
  test('checkout closed in the browser: nothing paid, no credits; a forged payment.captured webhook for the order is refused', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['razorpay'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.rules.packages[1] ?? app.package()
    const start = await app.balance(session)
    const since = await app.now()
    const bought = await startPurchase(target, session, 'razorpay', pack)
    const orderId = String(bought.out.providerOrderId)
    const closed = await payRazorpay(
      page,
      { baseUrl: await providerUrl(standin, 'razorpay'), keyId: String(bought.out.providerKey), orderId },
      { method: 'close' },
    )
    expect(closed).toEqual({ outcome: 'dismissed' })
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    expect(await app.balance(session)).toBe(start)

    if (!target.profile.providers.razorpay?.webhook) return
    const order = await providerObject(standin, 'razorpay', 'orders.create', orderId, since)
    const now = Math.floor((await app.now()) / 1000)
    const status = await postForgedWebhook(target, app, 'razorpay', {
      entity: 'event',
      account_id: 'acc_forged0000001',
      event: 'payment.captured',
      contains: ['payment'],
      created_at: now,
      payload: {
        payment: {
          entity: {
            id: fakeId('pay_'),
            entity: 'payment',
            amount: order.amount,
            currency: order.currency,
            status: 'captured',
            order_id: orderId,
            method: 'upi',
            captured: true,
            vpa: RAZORPAY_TEST.upiSuccess,
            notes: order.notes ?? {},
            created_at: now,
          },
        },
      },
    })
    await expectBalanceStays(
      app,
      session,
      start,
      async () => status >= 400,
      'a payment.captured webhook with a forged signature',
    )
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })
})
