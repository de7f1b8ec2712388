/**
 * Composite steps many journeys share (sign a person up, read their code,
 * move time on both sides, wait for the app to settle), built only from the
 * Target's steps, the profile's rules and standin's control plane.
 */
import type { User } from '../../fixtures/factories/user.ts'
import type { StandinClient } from '../../simulators/core/control/client.ts'
import type { Rules } from '../target/profile.ts'
import { type Session, type Target, TargetError } from '../target/target.ts'

export class AppFlows {
  constructor(
    readonly target: Target,
    readonly standin: StandinClient,
    readonly rules: Rules,
  ) {}

  /** standin's virtual now (epoch ms): the `since` of inbox and journal reads. */
  async now(): Promise<number> {
    return (await this.standin.clock.get()).epochMs
  }

  /** The SMS provider the profile says serves this number, and its fallback. */
  smsRoute(phone: string): { provider: string; fallback?: string } {
    const route = this.rules.smsRouting?.find((r) => phone.startsWith(r.prefix))
    if (!route) throw new TargetError(`The profile's rules.smsRouting names no SMS provider for ${phone}.`)
    return route
  }

  /** The code texted to `phone` at or after `since` (virtual ms), as the person reads it off their phone. */
  async readOtp(phone: string, since: number): Promise<string> {
    const { code } = await this.standin.messages.code({ to: phone, since, timeoutMs: this.rules.settleMs })
    return code
  }

  /** Phone sign-up from start to a session: code from the inbox, then the profile unless `profile: false`. */
  async signUp(user: User, options: { profile?: boolean } = {}): Promise<Session> {
    const since = await this.now()
    await this.target.must('startPhoneSignup', { phone: user.phone, ip: user.ip })
    const code = await this.readOtp(user.phone, since)
    const verified = await this.target.must('submitOtp', { phone: user.phone, code, ip: user.ip })
    const session = this.target.sessionFrom(verified, user.phone)
    if (options.profile !== false)
      await this.target.must(
        'setProfile',
        { displayName: user.displayName, birthDate: user.birthDate, gender: user.gender, email: user.email },
        session,
      )
    return session
  }

  async balance(session: Session): Promise<number> {
    const result = await this.target.must('balance', {}, session)
    const credits = Number(result.out.credits)
    if (!Number.isFinite(credits))
      throw new TargetError(
        `Step "balance" answered no number at the profile's pointer: ${this.target.describe(result)}`,
      )
    return credits
  }

  /**
   * Moves time on both sides by `ms`, in lockstep: the app first, then
   * standin, one step per timer standin has due within the span (a webhook
   * retry, a renewal, an expiry), so each event standin signs on the way is
   * signed at the time the app's clock then reads, and a timestamp check with
   * a few minutes' tolerance never sees it as stale. Past `maxSteps` due
   * times, the rest of the span is one step.
   */
  async advanceClock(ms: number, maxSteps = 200): Promise<void> {
    if (!this.target.canMoveClock)
      throw new TargetError(
        "The app's clock cannot be moved: the profile has no setClock or advanceClock step.",
      )
    let state = await this.standin.clock.get()
    const end = state.epochMs + ms
    for (let step = 0; state.epochMs < end; step++) {
      const next = state.nextDueMs
      const to = step < maxSteps && next !== null && next > state.epochMs && next < end ? next : end
      await this.moveAppClock(state.epochMs, to)
      state = await this.standin.clock.advance(to - state.epochMs)
    }
  }

  private async moveAppClock(from: number, to: number): Promise<void> {
    if (this.target.hasStep('setClock'))
      await this.target.must('setClock', { now: new Date(to).toISOString(), nowMs: to })
    else await this.target.must('advanceClock', { ms: to - from })
  }

  /**
   * Gives a user at least `credits` by buying the smallest package that covers
   * them, the way a real user would, through a payment path that needs no
   * browser (a Stripe PaymentIntent confirmed with a test card), and waits
   * until the app shows the credits. Journeys that only spend credits use it.
   */
  async fund(session: Session, credits: number): Promise<number> {
    if (!this.target.paymentMethods('stripe').includes('payment_intent'))
      throw new TargetError(
        'Failed to give the user credits: the profile declares no Stripe payment_intent purchase (capabilities.payments.stripe).',
      )
    const before = await this.balance(session)
    let balance = before
    while (balance < credits) {
      const pack =
        [...this.rules.packages]
          .sort((a, b) => a.credits - b.credits)
          .find((p) => p.credits >= credits - balance) ??
        this.rules.packages.reduce((a, b) => (a.credits > b.credits ? a : b))
      await this.target.must(
        'buyCredits',
        { provider: 'stripe', method: 'payment_intent', packageId: pack.id, paymentMethod: 'pm_card_visa' },
        session,
      )
      const want = balance + pack.credits
      balance = await this.waitFor(
        () => this.balance(session),
        (b) => b >= want,
        `credits to reach ${want}`,
      )
    }
    return balance
  }

  /**
   * Polls `read` until `done` holds or the profile's settle time passes: the
   * app acts on webhooks and jobs asynchronously, so an assertion waits for
   * the evidence instead of sleeping.
   */
  async waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + this.rules.settleMs
    let last: T | undefined
    for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
      last = await read()
      if (done(last)) return last
      if (Date.now() > deadline)
        throw new TargetError(
          `Gave up waiting for ${what} after ${this.rules.settleMs} ms; last seen ${JSON.stringify(last)}.`,
        )
      await new Promise((r) => setTimeout(r, delay))
    }
  }

  /** The package with this id, or the profile's first. */
  package(id?: string) {
    const found = id ? this.rules.packages.find((p) => p.id === id) : this.rules.packages[0]
    if (!found) throw new TargetError(`The profile's rules.packages has no package "${id}".`)
    return found
  }
}
