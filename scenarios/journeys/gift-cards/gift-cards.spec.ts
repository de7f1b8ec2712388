import type { User } from '../../../fixtures/factories/user.ts'
import type { StandinClient } from '../../../simulators/core/control/client.ts'
import type { AppFlows } from '../../support/flows.ts'
import { expect, test } from '../../support/test.ts'
import type { Session, Target } from '../../target/target.ts'

interface Bought {
  code: string
  credits: number
}

/**
 * Buys a gift card for `recipient` with a Stripe test card (no browser: the
 * card is confirmed server-side) and reads the code the way the recipient
 * does: from the email, and from the SMS when a phone is given.
 */
async function buyGiftCard(
  { app, target, standin }: { app: AppFlows; target: Target; standin: StandinClient },
  buyer: Session,
  recipient: User,
  options: { phone?: boolean } = {},
): Promise<Bought> {
  const pattern = new RegExp(app.rules.giftCards?.codePattern ?? '[A-Z0-9-]{8,}')
  const pack = app.package()
  const since = await app.now()
  const bought = await target.must(
    'buyGiftCard',
    {
      provider: 'stripe',
      method: 'payment_intent',
      packageId: pack.id,
      paymentMethod: 'pm_card_visa',
      recipientEmail: recipient.email,
      recipientPhone: options.phone ? recipient.phone : undefined,
    },
    buyer,
  )
  expect(bought.out.status).not.toBe('failed')
  const mail = await standin.messages.wait({ to: recipient.email, since, timeoutMs: app.rules.settleMs })
  const code = pattern.exec(`${mail.subject ?? ''}\n${mail.text}\n${mail.html ?? ''}`)?.[0]
  expect(code, `a code matching rules.giftCards.codePattern in the email: ${mail.text}`).toBeTruthy()
  if (options.phone) {
    const sms = await standin.messages.wait({ to: recipient.phone, since, timeoutMs: app.rules.settleMs })
    expect(sms.channel).toBe('sms')
    expect(pattern.exec(sms.text)?.[0], `the same code in the SMS: ${sms.text}`).toBe(code)
  }
  return { code: code!, credits: pack.credits }
}

/** A code of the same shape that no card has: every letter and digit moved one place on. */
function unknownCode(code: string): string {
  return code.replace(/[A-Za-z0-9]/g, (c) => {
    if (c === '9') return '0'
    if (c === 'Z') return 'A'
    if (c === 'z') return 'a'
    return String.fromCharCode(c.charCodeAt(0) + 1)
  })
}

test.describe('gift cards', () => {
  // catches: no named defect alone (guards the code's delivery, balances, and the spent/unknown refusals)
  test('bought → code by email and SMS → balance → partial and full redemption → spent and unknown codes refused', {
    tag: ['@gift-cards', '@stripe', '@sendgrid', '@twilio', '@giftcard-saas'],
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'gift-cards', payment: ['stripe', 'payment_intent'] })
    const recipient = users.get('recipient')
    applies({ sms: app.smsRoute(recipient.phone).provider })
    const buyer = await app.signUp(users.get('buyer'))
    const card = await buyGiftCard({ app, target, standin }, buyer, recipient, { phone: true })

    const shown = await target.must('giftCard', { code: card.code }, buyer)
    expect(Number(shown.out.balance)).toBe(card.credits)

    const redeemer = await app.signUp(recipient)
    const start = await app.balance(redeemer)
    const part = Math.max(1, Math.floor(card.credits / 3))
    const partial = await target.must('redeemGiftCard', { code: card.code, amount: part }, redeemer)
    expect(Number(partial.out.redeemed)).toBe(part)
    expect(Number(partial.out.remaining)).toBe(card.credits - part)
    expect(await app.balance(redeemer)).toBe(start + part)
    expect(Number((await target.must('giftCard', { code: card.code }, buyer)).out.balance)).toBe(
      card.credits - part,
    )

    const full = await target.must('redeemGiftCard', { code: card.code }, redeemer)
    expect(Number(full.out.redeemed)).toBe(card.credits - part)
    expect(Number(full.out.remaining)).toBe(0)
    expect(await app.balance(redeemer)).toBe(start + card.credits)

    for (const amount of [undefined, 1]) {
      const again = await target.run('redeemGiftCard', { code: card.code, amount }, redeemer)
      expect(target.isRefusal(again, 'giftCardSpent'), target.describe(again)).toBe(true)
    }
    expect(await app.balance(redeemer)).toBe(start + card.credits)

    const unknown = unknownCode(card.code)
    const looked = await target.run('giftCard', { code: unknown }, buyer)
    expect(target.isRefusal(looked, 'giftCardUnknown'), target.describe(looked)).toBe(true)
    const redeemed = await target.run('redeemGiftCard', { code: unknown }, redeemer)
    expect(target.isRefusal(redeemed, 'giftCardUnknown'), target.describe(redeemed)).toBe(true)
  })

  // catches: gift-card-double-redeem
  test('concurrent redemptions of one code spend it at most once', {
    tag: ['@gift-cards', '@stripe', '@sendgrid', '@giftcard-saas'],
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'gift-cards', payment: ['stripe', 'payment_intent'] })
    const buyer = await app.signUp(users.get('buyer'))
    const card = await buyGiftCard({ app, target, standin }, buyer, users.get('recipient'))
    const redeemers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => app.signUp(users.get(`redeemer-${i}`))),
    )
    const before = await Promise.all(redeemers.map((s) => app.balance(s)))
    // Each asks for more than a third: a correct app lets as many through as the balance covers.
    const amount = Math.floor(card.credits / 3) + 1
    const answers = await Promise.all(
      redeemers.map((s) => target.run('redeemGiftCard', { code: card.code, amount }, s)),
    )
    let spent = 0
    for (const [i, answer] of answers.entries()) {
      if (answer.ok) {
        expect(Number(answer.out.redeemed), target.describe(answer)).toBe(amount)
        spent += amount
      } else expect(target.isRefusal(answer, 'giftCardSpent'), target.describe(answer)).toBe(true)
      // Credits granted match what each redemption answered.
      expect(await app.balance(redeemers[i]!)).toBe(before[i]! + (answer.ok ? amount : 0))
    }
    expect(spent, 'credits redeemed from one card').toBeLessThanOrEqual(card.credits)
    expect(card.credits - spent, 'the balance left is too small for another redemption').toBeLessThan(amount)
    expect(Number((await target.must('giftCard', { code: card.code }, buyer)).out.balance)).toBe(
      card.credits - spent,
    )
  })

  // catches: no named defect (guards expiry; the reference target has no expiry defect)
  test('an expired gift card is refused', {
    tag: ['@serial', '@gift-cards', '@stripe', '@sendgrid', '@giftcard-saas'],
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'gift-cards', payment: ['stripe', 'payment_intent'], clock: true })
    const validFor = app.rules.giftCards?.validForMs
    test.skip(!validFor, 'not applicable: the profile gives no rules.giftCards.validForMs')
    const buyer = await app.signUp(users.get('buyer'))
    const recipient = users.get('recipient')
    const card = await buyGiftCard({ app, target, standin }, buyer, recipient)
    await app.advanceClock(validFor! + 60_000)
    // Signed in afterwards: a session may not outlive the card.
    const redeemer = await app.signUp(recipient)
    const shown = await target.run('giftCard', { code: card.code }, redeemer)
    expect(target.isRefusal(shown, 'giftCardExpired'), target.describe(shown)).toBe(true)
    const redeemed = await target.run('redeemGiftCard', { code: card.code }, redeemer)
    expect(target.isRefusal(redeemed, 'giftCardExpired'), target.describe(redeemed)).toBe(true)
    expect(await app.balance(redeemer)).toBe(app.rules.startingCredits)
  })
})
