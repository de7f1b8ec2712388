import { birthDateYearsAgo } from '../../../fixtures/factories/user.ts'
import { expect, test } from '../../support/test.ts'

test.describe('registration: adults-only profile', () => {
  // catches: underage-allowed
  test('a person one day short of the adult age is refused; one who turns it today is accepted', {
    tag: ['@registration', '@twilio', '@glimpse', '@truebond'],
  }, async ({ app, target, users, applies }) => {
    applies({ flow: 'registration', rules: ['adultAge'] })
    const adultAge = app.rules.adultAge!
    // The app's today: its clock follows standin's virtual clock.
    const today = new Date(await app.now())

    const minor = users.get('minor', { birthDate: birthDateYearsAgo(adultAge, today, 1) })
    const minorSession = await app.signUp(minor, { profile: false })
    const refused = await target.run(
      'setProfile',
      {
        displayName: minor.displayName,
        birthDate: minor.birthDate,
        gender: minor.gender,
        email: minor.email,
      },
      minorSession,
    )
    expect(
      target.isRefusal(refused, 'underage'),
      `born ${minor.birthDate}, ${adultAge} tomorrow: refused as underage: ${target.describe(refused)}`,
    ).toBe(true)

    const adult = users.get('adult', { birthDate: birthDateYearsAgo(adultAge, today) })
    const adultSession = await app.signUp(adult, { profile: false })
    const accepted = await target.run(
      'setProfile',
      {
        displayName: adult.displayName,
        birthDate: adult.birthDate,
        gender: adult.gender,
        email: adult.email,
      },
      adultSession,
    )
    expect(
      accepted.ok,
      `born ${adult.birthDate}, ${adultAge} today: accepted: ${target.describe(accepted)}`,
    ).toBe(true)
  })
})
