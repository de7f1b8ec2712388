import { expect, test } from '../../support/test.ts'

test.describe('matching: discovery, mutual like, paid chat', () => {
  // catches: chat-without-credit-check
  test('a mutual like makes one match and emails both; each message costs credits, none at zero', {
    tag: ['@matching', '@sendgrid', '@stripe', '@glimpse', '@truebond'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'matching', payment: ['stripe', 'payment_intent'] })
    const cost = app.rules.chatMessageCost ?? 1
    const alice = users.get('alice')
    const bob = users.get('bob')
    const since = await app.now()
    const [a, b] = await Promise.all([app.signUp(alice), app.signUp(bob)])
    expect(a.userId && b.userId, 'submitOtp must name the signed-in user').toBeTruthy()

    // Discovery shows each to the other; a one-sided like is not a match.
    const seen = await target.must('discovery', {}, a)
    expect(seen.out.userIds as unknown[]).toContain(b.userId)
    expect(seen.out.userIds as unknown[]).not.toContain(a.userId)
    const first = await target.must('like', { userId: b.userId }, a)
    expect(first.out.matchId ?? null, 'a one-sided like is no match').toBeNull()
    expect((await target.must('matches', {}, a)).out.matchIds).toEqual([])

    // Bob likes back: one match, the same for both, and liking again makes no second one.
    const back = await target.must('like', { userId: a.userId }, b)
    const matchId = back.out.matchId
    expect(matchId, 'the mutual like answers the match').toBeTruthy()
    await target.must('like', { userId: b.userId }, a)
    expect((await target.must('matches', {}, a)).out.matchIds).toEqual([matchId])
    expect((await target.must('matches', {}, b)).out.matchIds).toEqual([matchId])

    // Each of them is told by email, once.
    for (const user of [alice, bob]) {
      const mail = await standin.messages.wait({ to: user.email, since, timeoutMs: app.rules.settleMs })
      expect(mail.channel).toBe('email')
    }

    // A message costs chatMessageCost credits.
    const before = await app.fund(a, cost)
    await target.must('sendMessage', { matchId, text: `hello from ${alice.displayName}` }, a)
    expect(await app.balance(a)).toBe(before - cost)

    // Bob has no credit left for a message: refused, and nothing is stored.
    let left = await app.balance(b)
    for (let i = 0; left >= cost && cost > 0 && i < 1000; i++) {
      await target.must('sendMessage', { matchId, text: `spending ${i}` }, b)
      left = await app.balance(b)
    }
    const refused = await target.run('sendMessage', { matchId, text: 'no credit for this' }, b)
    expect(target.isRefusal(refused, 'insufficientCredits'), target.describe(refused)).toBe(true)
    expect(await app.balance(b)).toBe(left)
    const texts = (await target.must('messages', { matchId }, a)).out.texts as string[]
    expect(texts).toContain(`hello from ${alice.displayName}`)
    expect(texts).not.toContain('no credit for this')

    for (const user of [alice, bob])
      expect(await standin.messages.list({ to: user.email, since })).toHaveLength(1)
  })
})
