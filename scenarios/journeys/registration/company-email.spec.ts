import {
  companyEmailState,
  companyOf,
  expectToldOfBounce,
  sendgridAddress,
} from '../../support/registration.ts'
import { expect, test } from '../../support/test.ts'

test.describe('registration: company email', () => {
  // catches: no named defect breaks the link; fails when the emailed link does not verify the company
  test('the link in the verification email, opened in the browser, verifies the company', {
    tag: ['@registration', '@sendgrid', '@twilio', '@truebond'],
  }, async ({ app, target, users, standin, page, applies }) => {
    applies({ flow: 'registration', steps: ['startCompanyVerification'] })
    const user = users.get('user')
    const session = await app.signUp(user)
    const since = await app.now()
    await target.must(
      'startCompanyVerification',
      { email: user.email, companyName: companyOf(user) },
      session,
    )
    expect(
      (await companyEmailState(target, session)).status,
      'not verified before the link is opened',
    ).not.toBe('verified')

    const { links } = await standin.messages.links({ to: user.email, since, timeoutMs: app.rules.settleMs })
    const appOrigin = new URL(target.baseUrl).origin
    const link = links.find((l) => new URL(l).origin === appOrigin) ?? links[0]
    expect(link, `the verification email holds a link (found ${JSON.stringify(links)})`).toBeTruthy()
    const response = await page.goto(link!)
    expect(response?.status(), `opening ${link} in the browser`).toBeLessThan(400)

    await app.waitFor(
      () => companyEmailState(target, session),
      (s) => s.status === 'verified',
      'the company to show verified after the link was opened',
    )
  })

  // catches: email-bounce-ignored
  test('a verification email that bounces is reported to the user', {
    tag: ['@registration', '@sendgrid', '@twilio', '@truebond', '@retail'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration', steps: ['startCompanyVerification'] })
    const user = users.get('user')
    const session = await app.signUp(user)
    const address = sendgridAddress(user.email, 'bounce')
    const before = await companyEmailState(target, session)
    const since = await app.now()
    await target.must('startCompanyVerification', { email: address, companyName: companyOf(user) }, session)
    await expectToldOfBounce({ app, target, standin }, session, address, before, since)
  })
})
