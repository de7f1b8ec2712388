import { companyEmailState, companyOf, expectToldOfBounce, sendgridAddress } from '../support/registration.ts'
import { test } from '../support/test.ts'

/**
 * Replay: the verification email bounces and the user is told. SendGrid's
 * bounce comes in two kinds (a hard bounce, 550, and a block, 554, both
 * `bounce` events), and an address that bounced is on SendGrid's bounce list,
 * so the next email to it is `dropped` without a try: each must reach the user.
 */
test.describe('replay: email bounce', () => {
  // catches: email-bounce-ignored
  test('a blocked verification email (554) is reported to the user', {
    tag: ['@replays', '@sendgrid', '@twilio', '@truebond', '@retail'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration', steps: ['startCompanyVerification'] })
    const user = users.get('user')
    const session = await app.signUp(user)
    const address = sendgridAddress(user.email, 'block')
    const before = await companyEmailState(target, session)
    const since = await app.now()
    await target.must('startCompanyVerification', { email: address, companyName: companyOf(user) }, session)
    await expectToldOfBounce({ app, target, standin }, session, address, before, since)
  })

  // catches: email-bounce-ignored
  test('a second try to an address that bounced is dropped by SendGrid and reported again', {
    tag: ['@replays', '@sendgrid', '@twilio', '@truebond', '@retail'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration', steps: ['startCompanyVerification'] })
    const user = users.get('user')
    const session = await app.signUp(user)
    const address = sendgridAddress(user.email, 'bounce')
    const ctx = { app, target, standin }

    const first = await companyEmailState(target, session)
    const firstSince = await app.now()
    await target.must('startCompanyVerification', { email: address, companyName: companyOf(user) }, session)
    await expectToldOfBounce(ctx, session, address, first, firstSince)

    const second = await companyEmailState(target, session)
    const secondSince = await app.now()
    await target.must('startCompanyVerification', { email: address, companyName: companyOf(user) }, session)
    await expectToldOfBounce(ctx, session, address, second, secondSince)
  })
})
