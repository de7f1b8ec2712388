/**
 * Helpers of the registration journeys and their replays (SMS provider
 * outage, email bounce). Two kinds of knowledge, kept apart:
 * - standin's side: which request sends an SMS and which of its fields names
 *   the recipient (so a fault rule takes a provider down for one test's phone
 *   only and parallel journeys keep theirs), which numbers a provider can reach
 *   at all, SendGrid's recipient conventions (an address that bounces);
 * - the app's side only through the Target's steps and the profile's rules.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { User } from '../../fixtures/factories/user.ts'
import type { StandinClient } from '../../simulators/core/control/client.ts'
import type { FaultRule, FaultRuleInput } from '../../simulators/core/faults/schema.ts'
import type { Profile } from '../target/profile.ts'
import type { Session, Target } from '../target/target.ts'
import type { AppFlows } from './flows.ts'
import { expect, NOT_APPLICABLE, test } from './test.ts'

type FaultMatch = NonNullable<FaultRuleInput['match']>

// ── SMS ───────────────────────────────────────────────────────────────────

/**
 * How each SMS provider's send request names its recipient. Twilio's
 * Messages API takes `To` in E.164; Aligo's `/send/` takes `receiver` in
 * Korean local form (010…, hyphens and spaces tolerated, comma-separated).
 */
const SMS_SENDS: Record<string, { operation: string; recipient(phone: string): FaultMatch['body'] }> = {
  twilio: { operation: 'messages.create', recipient: (phone) => ({ To: phone }) },
  aligo: {
    operation: 'send',
    recipient: (phone) => {
      const digits = phone.replace(/\D/g, '')
      const national = phone.trim().startsWith('+82') ? digits.slice(2) : digits.replace(/^0/, '')
      const pattern = national.split('').join('[-\\s]*')
      return { receiver: { regex: `(^|,)\\s*0[-\\s]*${pattern}\\s*(,|$)` } }
    },
  },
}

/** The match for `provider`'s SMS sends to `phone` from the app's account: a fault scope no other test shares. */
export function smsSendsTo(profile: Profile, provider: string, phone: string): FaultMatch {
  const send = SMS_SENDS[provider]
  if (!send) throw new Error(`The registration journeys do not know how ${provider} names an SMS recipient.`)
  const account = profile.providers[provider as keyof Profile['providers']]?.account
  return {
    provider,
    operation: send.operation,
    method: 'POST',
    ...(account ? { account } : {}),
    body: send.recipient(phone),
  }
}

/** Why `provider` cannot deliver a text to `phone` at all, or undefined when it can. */
export function unreachable(provider: string, phone: string): string | undefined {
  if (provider === 'aligo' && !/^\+821[016789]\d{7,8}$/.test(phone.replace(/[\s-]/g, '')))
    return `Aligo delivers only to Korean mobile numbers, so it cannot carry a code to ${phone}`
  return undefined
}

/** A catalogue error each SMS provider really answers, for a journey that needs "the provider errors". */
export const SMS_PROVIDER_ERROR: Record<string, { error: string; what: string }> = {
  twilio: { error: '20500', what: 'answers 500 (Twilio error 20500)' },
  aligo: { error: '-201', what: 'refuses the send (Aligo -201, no points left)' },
}

/**
 * The fault rules of a preset of scenarios/presets/, scoped to one phone, so
 * the replay and `standin preset apply` describe the same outage: each rule's
 * effect as the preset has it, its match narrowed to the sends to `phone`.
 * A preset that takes a `phone` var is applied as is through the control plane.
 */
export async function applySmsPresetTo(
  standin: StandinClient,
  profile: Profile,
  name: string,
  phone: string,
): Promise<FaultRule[]> {
  const preset = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '..', 'presets', `${name}.json`), 'utf8'),
  ) as { vars?: Record<string, string>; faults?: FaultRuleInput[] }
  const vars = Object.keys(preset.vars ?? {})
  if (vars.length === 1 && vars[0] === 'phone') return (await standin.presets.apply(name, { phone })).faults
  if (vars.length > 0)
    throw new Error(
      `Preset ${name} takes vars ${vars.join(', ')}; the SMS outage replay can fill only "phone".`,
    )
  const added: FaultRule[] = []
  try {
    for (const fault of preset.faults ?? []) {
      const provider = fault.match?.provider
      if (!provider)
        throw new Error(`Preset ${name} has a fault rule without match.provider; it cannot be scoped.`)
      const scope = smsSendsTo(profile, provider, phone)
      // The send operation stands for the preset's path (Aligo serves /send with and without its slash).
      const { path: _path, ...match } = fault.match ?? {}
      added.push(
        await standin.faults.add({
          ...fault,
          name: `${fault.name ?? name} (${phone} only)`,
          match: { ...match, ...scope, body: { ...fault.match?.body, ...scope.body } },
        }),
      )
    }
  } catch (error) {
    await removeFaults(standin, added)
    throw error
  }
  return added
}

export async function removeFaults(standin: StandinClient, rules: FaultRule[]): Promise<void> {
  await Promise.all(rules.map((r) => standin.faults.remove(r.id).catch(() => undefined)))
}

/**
 * The route of `user`'s phone when it has a fallback provider that can reach
 * it; otherwise the journey is reported not applicable, naming why.
 */
export function failoverRoute(
  app: AppFlows,
  applies: (needs: { sms?: string }) => void,
  user: User,
): { provider: string; fallback: string } {
  const route = app.smsRoute(user.phone)
  applies({ sms: route.provider })
  if (!route.fallback)
    notApplicable(`the profile's rules.smsRouting names no fallback SMS provider for ${user.phone}`)
  const fallback = route.fallback!
  applies({ sms: fallback })
  const why = unreachable(fallback, user.phone)
  if (why) notApplicable(`${why} (the profile's fallback for ${user.phone})`)
  return { provider: route.provider, fallback }
}

/**
 * With the primary provider failing for `user`'s phone (`rules` already in
 * place): the sign-up still texts a code, through the fallback, exactly once;
 * the primary was tried (its rule fired); the code signs the user in.
 */
export async function expectCodeOnceThroughFallback(
  ctx: { app: AppFlows; target: Target; standin: StandinClient },
  user: User,
  route: { provider: string; fallback: string },
  rules: FaultRule[],
): Promise<Session> {
  const { app, target, standin } = ctx
  const since = await app.now()
  const started = await target.run('startPhoneSignup', { phone: user.phone, ip: user.ip })
  expect(started.ok, `the app must still send the code: ${target.describe(started)}`).toBe(true)
  const code = await app.readOtp(user.phone, since)
  const fired = await Promise.all(rules.map((r) => standin.faults.get(r.id).then((f) => f.fired)))
  expect(
    fired.reduce((a, b) => a + b, 0),
    `${route.provider} was asked first, and failed`,
  ).toBeGreaterThan(0)
  const verified = await target.run('submitOtp', { phone: user.phone, code, ip: user.ip })
  expect(verified.ok, `the code from ${route.fallback} signs in: ${target.describe(verified)}`).toBe(true)
  const delivered = await standin.messages.list({ to: user.phone, since })
  expect(
    delivered.map((m) => m.provider),
    'exactly one code reached the phone',
  ).toEqual([route.fallback])
  return target.sessionFrom(verified, user.phone)
}

// ── email ─────────────────────────────────────────────────────────────────

/**
 * SendGrid (standin's convention, simulators/sendgrid README): a recipient
 * whose local part or `+tag` is `bounce` hard-bounces (550 5.1.1) and `block`
 * is blocked (554 5.7.1); both come to the app as `bounce` events, and a
 * bounced address is on the bounce list, so the next send to it is `dropped`.
 */
export function sendgridAddress(email: string, outcome: 'bounce' | 'block'): string {
  const [local, domain] = email.split('@')
  return `${local}+${outcome}@${domain}`
}

/** A company name for `user` (company verification takes one). */
export function companyOf(user: User): string {
  return `${user.displayName.split(' ').at(-1)} Labs`
}

/** What the user can see about their company email: its status on `me`, and how many notifications they have. */
export async function companyEmailState(
  target: Target,
  session: Session,
): Promise<{ status: unknown; notifications: number | undefined }> {
  const me = await target.must('me', {}, session)
  let notifications: number | undefined
  if (target.hasStep('notifications')) {
    const items = (await target.must('notifications', {}, session)).out.items
    notifications = Array.isArray(items) ? items.length : 0
  }
  return { status: me.out.companyStatus, notifications }
}

/** Whether the profile says where `step`'s answer holds output `out` (a step from the escape-hatch module is assumed to). */
function declaresOutput(target: Target, step: 'me', out: string): boolean {
  const spec = target.profile.steps[step]
  if (!spec) return target.hasStep(step)
  return (Array.isArray(spec) ? spec : [spec]).some((v) => v.out?.[out] !== undefined)
}

/**
 * Waits until the user is told their verification email could not be
 * delivered: `me` shows the company email "failed" (where the profile maps
 * companyStatus) and a notification more than `before` (where the app has a
 * notifications step); at least one of the two must exist. standin's side:
 * the address got no copy, and SendGrid's event reached the app (acknowledged).
 */
export async function expectToldOfBounce(
  ctx: { app: AppFlows; target: Target; standin: StandinClient },
  session: Session,
  address: string,
  before: { notifications: number | undefined },
  since: number,
): Promise<void> {
  const { app, target, standin } = ctx
  const status = declaresOutput(target, 'me', 'companyStatus')
  const notifications = before.notifications !== undefined
  expect(
    status || notifications,
    'the profile must let the user see a bounce: output companyStatus on step "me", or a "notifications" step',
  ).toBe(true)
  const told = await app.waitFor(
    () => companyEmailState(target, session),
    (s) =>
      (!status || s.status === 'failed') &&
      (!notifications || (s.notifications ?? 0) > (before.notifications ?? 0)),
    `the user to be told that the email to ${address} bounced (${[
      status && 'companyStatus "failed"',
      notifications && 'a new notification',
    ]
      .filter(Boolean)
      .join(', ')})`,
  )
  if (status) expect(told.status).toBe('failed')
  expect(
    await standin.messages.list({ to: address, since }),
    'the email never reached the address',
  ).toHaveLength(0)
  const deliveries = await standin.webhooks.deliveries.list({
    provider: 'sendgrid',
    payloadContains: address,
    status: 'delivered',
  })
  expect(deliveries.length, "SendGrid's event about the address reached the app").toBeGreaterThan(0)
}

// ── the rest ──────────────────────────────────────────────────────────────

/** Reports the running journey not applicable, by name and reason (as `applies` does). */
export function notApplicable(reason: string): void {
  test.info().annotations.push({ type: NOT_APPLICABLE, description: reason })
  test.skip(true, `not applicable: ${reason}`)
}

/** A code of the same length that is certainly not `code`: every digit moved by 1..9 (`nth` varies it). */
export function wrongCode(code: string, nth = 0): string {
  const shift = 1 + (nth % 9)
  return code.replace(/\d/g, (d) => String((Number(d) + shift) % 10))
}
