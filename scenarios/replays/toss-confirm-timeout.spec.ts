/**
 * Failure replay at Toss Payments: the buyer pays in the window, the app
 * confirms, Toss approves, and the answer never comes back (every attempt).
 * Toss's status webhook is lost too, so only the app's reconciliation can
 * learn the payment went through. The fault and the webhook rule are scoped
 * to this order (Toss's own `orderId`); the journey moves both clocks past the
 * app's reconcile delay, so it runs alone (@serial).
 */
import type { WebhookDelivery } from '../../simulators/core/webhooks/types.ts'
import { providerUrl } from '../support/providers/hub.ts'
import { payTossWindow } from '../support/providers/toss.ts'
import { expect, test } from '../support/test.ts'
import { expectSteady, needRule } from './kit.ts'

// catches: reconciliation-missing, double-credit-on-duplicate (the late webhook meets the reconciliation)
test(
  'Toss confirm times out after Toss approved: pending, then settled once by reconciliation',
  {
    tag: ['@replays', '@payments', '@toss', '@serial', '@glimpse', '@connecto'],
  },
  async ({ scoped, app, target, users, standin, applies, page }, testInfo) => {
    applies({ flow: 'payments', payment: ['toss', 'window'], clock: true })
    const reconcileAfterMs = needRule(
      testInfo,
      app.rules,
      'reconcileAfterMs',
      'when the app settles a lost answer',
    )
    const account = target.profile.providers.toss!.account
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    const bought = await target.must('buyCredits', { provider: 'toss', packageId: pack.id }, session)
    const out = bought.out
    const orderId = String(out.providerOrderId)
    for (const [name, value] of Object.entries({ orderId, ...out }))
      if (['providerOrderId', 'amount', 'orderName', 'successUrl', 'failUrl'].includes(name))
        expect(value, `the buy step's ${name} (the Toss window needs it)`).toBeTruthy()

    // Toss's PAYMENT_STATUS_CHANGED for this order is lost, every scheduled attempt.
    await scoped.webhookRule({
      name: `replay: lose Toss's webhooks for ${orderId}`,
      match: { provider: 'toss', account, payload: { 'data.orderId': orderId } },
      effect: { type: 'drop', attempts: 100 },
    })
    const since = await app.now()
    const landing = await standin.faults.during(
      {
        name: `replay: Toss approves ${orderId}, then the answer hangs and the connection drops`,
        match: { provider: 'toss', operation: 'payments.confirm', body: { orderId } },
        effect: { type: 'hang', ms: 150, phase: 'after' },
        // Every attempt loses its answer (twice the app's attempts: a client may resend once on a closed connection).
        times: 2 * (app.rules.retry?.maxAttempts ?? 1),
      },
      async () =>
        payTossWindow(page, await providerUrl(standin, 'toss'), {
          clientKey: String(out.providerKey ?? target.profile.providers.toss?.publicKey),
          orderId,
          amount: Number(out.amount),
          orderName: String(out.orderName),
          successUrl: String(out.successUrl),
          failUrl: String(out.failUrl),
        }),
    )
    expect(landing.landedOn, 'Toss approved and sent the buyer to the successUrl').toBe('success')
    // The app cannot know the outcome: it must not tell the buyer the payment was declined.
    expect(
      target.isRefusal({ step: 'payment', ok: false, headers: {}, out: {}, ...landing }, 'paymentDeclined'),
      JSON.stringify(landing.body),
    ).toBe(false)

    const approved = await standin.webhooks.events
      .list({ provider: 'toss', account, type: 'PAYMENT_STATUS_CHANGED', limit: 1000 })
      .then((events) =>
        events.filter((e) => {
          const data = (e.payload as { data?: { orderId?: string; status?: string } }).data
          return e.createdAt >= since && data?.orderId === orderId && data.status === 'DONE'
        }),
      )
    expect(approved, 'Toss approved the order once').toHaveLength(1)

    await app.advanceClock(reconcileAfterMs)
    await app.waitFor(
      () => app.balance(session),
      (b) => b === pack.credits,
      'reconciliation to grant the credits',
    )

    // The lost status webhook arrives after all (a manual redelivery): still granted once.
    const [delivery] = (await standin.webhooks.deliveries.list({
      provider: 'toss',
      account,
      eventId: approved[0]!.id,
    })) as WebhookDelivery[]
    expect(delivery?.attempts[0]?.outcome, "Toss's webhook was lost").toBe('dropped')
    await standin.webhooks.deliveries.redeliver(delivery!.id)
    await expect
      .poll(async () => (await standin.webhooks.deliveries.get(delivery!.id)).status, {
        message: 'the app acknowledges the late webhook',
      })
      .toBe('delivered')
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  },
)
