import type { StandinClient } from '../../../simulators/core/control/client.ts'
import type { AppFlows } from '../../support/flows.ts'
import { providerUrl } from '../../support/providers/hub.ts'
import {
  payTossWindow,
  payTossWindowOverHttp,
  TOSS_CARDS,
  type TossLanding,
  type TossWindowRequest,
} from '../../support/providers/toss.ts'
import { expect, test } from '../../support/test.ts'
import type { RefusalName } from '../../target/steps.ts'
import type { Session, StepResult, Target } from '../../target/target.ts'
import {
  amountAtProvider,
  expectBalanceStays,
  fakeId,
  journalMark,
  type Package,
  paymentStatus,
  priceOf,
  startPurchase,
} from './purchase.ts'

const TAGS = ['@payments', '@toss', '@glimpse', '@connecto']

/** The window request the app's front end would make from the buy step's answer. */
function windowRequest(target: Target, bought: StepResult<'buyCredits'>): TossWindowRequest {
  const out = bought.out
  const clientKey = out.providerKey ?? target.profile.providers.toss?.publicKey
  for (const [name, value] of Object.entries({ clientKey, ...out }))
    if (['clientKey', 'providerOrderId', 'amount', 'orderName', 'successUrl', 'failUrl'].includes(name))
      expect(value, `the buy step's ${name} (the Toss window needs it)`).toBeTruthy()
  return {
    clientKey: String(clientKey),
    orderId: String(out.providerOrderId),
    amount: Number(out.amount),
    orderName: String(out.orderName),
    successUrl: String(out.successUrl),
    failUrl: String(out.failUrl),
  }
}

/** Whether the app's answer to the landing is the named refusal. */
const landingIs = (target: Target, landing: TossLanding, name: RefusalName) =>
  target.isRefusal({ step: 'payment', ok: false, headers: {}, out: {}, ...landing }, name)

async function buyer(app: AppFlows, users: { get(role: string): Parameters<AppFlows['signUp']>[0] }) {
  const session = await app.signUp(users.get('buyer'))
  return { session, start: await app.balance(session) }
}

/** What Toss confirmed for the order: DONE confirms only (the journal's successful payments.confirm). */
async function confirmedAtToss(standin: StandinClient, orderId: string, since: number) {
  const { entries } = await standin.journal.list({
    provider: 'toss',
    operation: 'payments.confirm',
    since,
    contains: orderId,
  })
  return entries
    .filter((e) => e.status < 300 && (e.body as { orderId?: string } | undefined)?.orderId === orderId)
    .map((e) => e.response as { status: string; totalAmount: number })
}

/**
 * Someone tells the app, in Toss's webhook shape, that the order was paid.
 * Toss signs no payment webhook: the app must ask Toss, not believe the body.
 */
async function claimPaidByWebhook(
  app: AppFlows,
  target: Target,
  standin: StandinClient,
  session: Session,
  start: number,
  order: { orderId: string; paymentKey?: string; amount: number; orderName: string },
) {
  const mark = await journalMark(standin)
  const transactionKey = fakeId('txrd_', 24)
  const at = new Date(await app.now()).toISOString()
  await standin.webhooks.events.send({
    provider: 'toss',
    account: target.profile.providers.toss?.account ?? 'default',
    event: 'PAYMENT_STATUS_CHANGED',
    payload: {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: at,
      data: {
        mId: 'tvivarepublica',
        paymentKey: order.paymentKey ?? fakeId('tgen_', 24),
        orderId: order.orderId,
        orderName: order.orderName,
        status: 'DONE',
        method: '카드',
        currency: 'KRW',
        totalAmount: order.amount,
        balanceAmount: order.amount,
        approvedAt: at,
        lastTransactionKey: transactionKey,
      },
    },
  })
  // Settled once the app acknowledged the event and looked the payment up at Toss.
  const settled = async () => {
    const deliveries = await standin.webhooks.deliveries.list({
      provider: 'toss',
      payloadContains: transactionKey,
    })
    if (!deliveries.length || deliveries.some((d) => d.status !== 'delivered')) return false
    const { entries } = await standin.journal.list({ provider: 'toss', afterSeq: mark, method: 'GET' })
    return entries.some(
      (e) => e.path.includes(order.orderId) || (order.paymentKey && e.path.includes(order.paymentKey)),
    )
  }
  await expectBalanceStays(app, session, start, settled, 'an unsigned Toss webhook claiming the order DONE')
}

async function tossSetup(
  app: AppFlows,
  target: Target,
  standin: StandinClient,
  users: Parameters<typeof buyer>[1],
  pack: Package,
) {
  const { session, start } = await buyer(app, users)
  const since = await app.now()
  const bought = await startPurchase(target, session, 'toss', pack)
  return {
    session,
    start,
    since,
    bought,
    request: windowRequest(target, bought),
    tossUrl: await providerUrl(standin, 'toss'),
  }
}

test.describe('payments: Toss', () => {
  // catches: refund-keeps-credits, double-credit-on-duplicate
  test('payment window in the browser: the buyer pays, the app confirms on its successUrl; credits once at the package price; a refund takes them back', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['toss', 'window'] })
    const pack = app.rules.packages.at(-1) ?? app.package()
    const { session, start, since, bought, request, tossUrl } = await tossSetup(
      app,
      target,
      standin,
      users,
      pack,
    )
    const landing = await payTossWindow(page, tossUrl, request, { card: TOSS_CARDS.approved })
    expect(landing.landedOn).toBe('success')
    expect(landing.status, JSON.stringify(landing.body)).toBeLessThan(400)
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')
    const price = priceOf(pack, 'toss')
    if (price !== undefined)
      expect(await amountAtProvider(standin, target, 'toss', request.orderId, since)).toBe(price)
    expect(await confirmedAtToss(standin, request.orderId, since)).toHaveLength(1)

    if (!target.hasStep('refund')) return
    const paymentKey = new URL(landing.url).searchParams.get('paymentKey')
    const mark = await journalMark(standin)
    const refund = await target.run('refund', { paymentId: bought.paymentId }, session)
    expect(refund.ok, target.describe(refund)).toBe(true)
    await app.waitFor(
      () => app.balance(session),
      (b) => b === start,
      'the credits to be taken back',
    )
    const canceled = await standin.journal.wait({
      provider: 'toss',
      operation: 'payments.cancel',
      path: `/v1/payments/${paymentKey}/cancel`,
      afterSeq: mark,
      timeoutMs: app.rules.settleMs,
    })
    expect(canceled.status).toBeLessThan(300)
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: toss-trust-redirect-amount
  test('tampered amount: a window opened for less than the order is refused and buys nothing', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'payments', payment: ['toss', 'window'] })
    const pack = app.rules.packages.at(-1) ?? app.package()
    const { session, start, since, bought, request, tossUrl } = await tossSetup(
      app,
      target,
      standin,
      users,
      pack,
    )
    // The buyer edits the amount the front end passes to requestPayment.
    const lowered = { ...request, amount: Math.max(100, Math.floor(request.amount / 10)) }
    const landing = await payTossWindowOverHttp(tossUrl, lowered, { card: TOSS_CARDS.approved })
    expect(landing.landedOn).toBe('success')
    if (landing.status >= 400)
      expect(landingIs(target, landing, 'paymentRejected'), JSON.stringify(landing)).toBe(true)
    expect(await confirmedAtToss(standin, request.orderId, since), 'nothing confirmed at Toss').toEqual([])
    await expectBalanceStays(app, session, start, async () => true, 'a tampered amount')
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: toss-trust-redirect-amount, double-credit-on-duplicate
  test('tampered amount: a successUrl whose amount was changed is refused; the genuine one then confirms the full price', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['toss', 'window'] })
    const pack = app.rules.packages.at(-1) ?? app.package()
    const { session, start, since, bought, request, tossUrl } = await tossSetup(
      app,
      target,
      standin,
      users,
      pack,
    )
    let genuine = ''
    const landing = await payTossWindow(page, tossUrl, request, {
      card: TOSS_CARDS.approved,
      tamper: (url) => {
        genuine = url.toString()
        const changed = new URL(url)
        changed.searchParams.set('amount', String(Math.max(100, Math.floor(request.amount / 10))))
        return changed
      },
    })
    expect(landing.landedOn).toBe('success')
    expect(landingIs(target, landing, 'paymentRejected'), JSON.stringify(landing)).toBe(true)
    expect(await confirmedAtToss(standin, request.orderId, since), 'nothing confirmed at Toss').toEqual([])
    expect(await app.balance(session)).toBe(start)

    // The untouched redirect still completes the purchase, at the order's amount.
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    const response = await page.goto(genuine)
    expect(response?.status(), await response?.text()).toBeLessThan(400)
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    expect((await confirmedAtToss(standin, request.orderId, since)).map((p) => p.totalAmount)).toEqual([
      priceOf(pack, 'toss') ?? request.amount,
    ])
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')
  })

  // catches: skip-webhook-signature
  test('declined at confirm: the app refuses, no credits; an unsigned webhook claiming the order paid is not believed', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'payments', payment: ['toss', 'window'] })
    const pack = app.rules.packages.at(-1) ?? app.package()
    const { session, start, bought, request, tossUrl } = await tossSetup(app, target, standin, users, pack)
    const landing = await payTossWindowOverHttp(tossUrl, request, { card: TOSS_CARDS.rejectedAtConfirm })
    expect(landing.landedOn).toBe('success')
    if (landing.status >= 400)
      expect(landingIs(target, landing, 'paymentDeclined'), JSON.stringify(landing)).toBe(true)
    await app.waitFor(
      () => paymentStatus(target, session, bought.paymentId),
      (s) => s === 'failed',
      'the declined payment to fail',
    )
    // Where the app reports why, it is Toss's own code.
    const failure = (await target.must('payment', { paymentId: bought.paymentId }, session)).out.failureCode
    if (failure !== undefined && failure !== null) expect(failure).toBe('REJECT_CARD_PAYMENT')
    expect(await app.balance(session)).toBe(start)
    await claimPaidByWebhook(app, target, standin, session, start, {
      orderId: request.orderId,
      paymentKey: new URL(landing.url).searchParams.get('paymentKey') ?? undefined,
      amount: request.amount,
      orderName: request.orderName,
    })
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: skip-webhook-signature
  test('window canceled by the buyer: back on the failUrl, nothing paid; an unsigned webhook claiming the order paid is not believed', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'payments', payment: ['toss', 'window'] })
    const pack = app.rules.packages.at(-1) ?? app.package()
    const { session, start, bought, request, tossUrl } = await tossSetup(app, target, standin, users, pack)
    const landing = await payTossWindowOverHttp(tossUrl, request, { action: 'cancel' })
    expect(landing.landedOn).toBe('fail')
    expect(new URL(landing.url).searchParams.get('code')).toBe('PAY_PROCESS_CANCELED')
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    expect(await app.balance(session)).toBe(start)
    await claimPaidByWebhook(app, target, standin, session, start, {
      orderId: request.orderId,
      amount: request.amount,
      orderName: request.orderName,
    })
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })
})
