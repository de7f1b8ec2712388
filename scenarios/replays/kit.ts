/**
 * What the failure replays share: reading one purchase's provider calls out
 * of standin's journal, finding the webhooks standin sent for it, forging a
 * Stripe webhook the way an attacker would, and holding a value steady for a
 * moment to prove "exactly once". Everything here is standin's side (Stripe's
 * wire format, its operations and event names) or comes from the profile; no
 * app's paths or fields.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { TestInfo } from '@playwright/test'
import type { StandinClient } from '../../simulators/core/control/client.ts'
import type { JournalEntry } from '../../simulators/core/journal.ts'
import type { WebhookDelivery } from '../../simulators/core/webhooks/types.ts'
import { waitForAcknowledged } from '../support/evidence.ts'
import type { AppFlows } from '../support/flows.ts'
import { NOT_APPLICABLE, test } from '../support/test.ts'
import type { Rules } from '../target/profile.ts'
import type { Session, StepResult, Target } from '../target/target.ts'

/**
 * How long a value must hold after the last copy of a webhook was acknowledged
 * before "exactly once" is believed: an app acknowledges first and acts on the
 * event in the background, so a second grant shows up shortly after the 2xx.
 */
export const QUIET_MS = 1_000

/** Marks the journey not applicable (and skips it) when the profile lacks a rule it needs. */
export function needRule<K extends keyof Rules>(
  testInfo: TestInfo,
  rules: Rules,
  name: K,
  why: string,
): NonNullable<Rules[K]> {
  const value = rules[name]
  if (value === undefined || value === null) {
    const reason = `rules.${String(name)} not declared by the profile (${why})`
    testInfo.annotations.push({ type: NOT_APPLICABLE, description: reason })
    test.skip(true, `not applicable: ${reason}`)
  }
  return value as NonNullable<Rules[K]>
}

/** The Stripe account (secret key) the app uses: the journal and the webhooks are partitioned by it. */
export function stripeAccount(target: Target): string {
  const account = target.profile.providers.stripe?.account
  if (!account) throw new Error('The profile names no Stripe account (providers.stripe.account).')
  return account
}

export { journalMark } from '../support/evidence.ts'

/** Buys a package the way most replays do: a Stripe PaymentIntent confirmed server-side with a test card. */
export function buyWithCard(
  target: Target,
  session: Session,
  packageId: string,
  paymentMethod: string | undefined = 'pm_card_visa',
): Promise<StepResult<'buyCredits'>> {
  return target.run(
    'buyCredits',
    { provider: 'stripe', method: 'payment_intent', packageId, paymentMethod },
    session,
  )
}

/**
 * The PaymentIntent creations standin's Stripe saw on the app's account since
 * `mark`, oldest first. Replays that read this run alone (@serial), so every
 * creation in the window is the one purchase they made.
 */
export async function intentCreations(
  standin: StandinClient,
  account: string,
  mark: number,
): Promise<JournalEntry[]> {
  const { entries } = await standin.journal.list({
    provider: 'stripe',
    account,
    operation: 'payment_intents.create',
    afterSeq: mark,
  })
  return entries.sort((a, b) => a.seq - b.seq)
}

/**
 * The PaymentIntent the app created for a purchase since `mark`, as Stripe
 * answered its creation. The purchase's `providerOrderId` names it when the
 * profile exposes it; otherwise, with other journeys running at the same time,
 * the app's own ids for the purchase (`hints`: its payment id, user id) pick
 * the creation whose request names them.
 */
export async function intentCreatedFor(
  standin: StandinClient,
  account: string,
  mark: number,
  bought: StepResult<'buyCredits'>,
  hints: unknown[] = [],
): Promise<{ id: string; intent: Record<string, unknown> }> {
  const made = (await intentCreations(standin, account, mark)).filter(
    (e) => e.status === 200 && typeof (e.response as { id?: unknown })?.id === 'string',
  )
  const known = bought.out.providerOrderId
  const named =
    typeof known === 'string' && known
      ? made.filter((e) => (e.response as { id: string }).id === known)
      : made.filter((e) =>
          [bought.out.paymentId, ...hints].some(
            (h) => typeof h === 'string' && h.length > 0 && JSON.stringify(e.body).includes(h),
          ),
        )
  const candidates = named.length > 0 ? named : made
  const ids = new Set(candidates.map((e) => (e.response as { id: string }).id))
  if (ids.size !== 1)
    throw new Error(
      `Expected the app to create one PaymentIntent for the purchase, found ${ids.size} on ${account} (${[...ids].join(', ')}).`,
    )
  const entry = candidates.at(-1)!
  return { id: [...ids][0]!, intent: entry.response as Record<string, unknown> }
}

/**
 * Waits until every Stripe delivery of `eventType` naming `contains` has been
 * acknowledged by the app (2xx) and returns them; `copies` is how many
 * deliveries there must be (the original plus duplicates).
 */
export function acknowledged(
  app: AppFlows,
  standin: StandinClient,
  account: string,
  eventType: string,
  contains: string,
  copies = 1,
): Promise<WebhookDelivery[]> {
  return waitForAcknowledged(app, standin, {
    provider: 'stripe',
    account,
    eventType,
    about: contains,
    copies,
  })
}

/** Virtual ms from now until a delivery's next scheduled attempt. */
export async function untilNextAttempt(app: AppFlows, delivery: WebhookDelivery): Promise<number> {
  if (!delivery.nextAttemptAt)
    throw new Error(`Delivery ${delivery.id} has no next attempt scheduled (status ${delivery.status}).`)
  return Math.max(1, Date.parse(delivery.nextAttemptAt) - (await app.now()) + 1)
}

/**
 * The charges Stripe made on the app's account at or after `sinceMs` (virtual):
 * one `payment_intent.succeeded` event each. Events, not the journal, because
 * a request whose answer was lost (a fault `after` processing) has no answer
 * in the journal, yet its charge happened.
 */
export async function chargesSince(
  standin: StandinClient,
  account: string,
  sinceMs: number,
): Promise<{ eventId: string; intentId: string; amount: number }[]> {
  const events = await standin.webhooks.events.list({
    provider: 'stripe',
    account,
    type: 'payment_intent.succeeded',
    limit: 1000,
  })
  return events
    .filter((e) => e.createdAt >= sinceMs)
    .map((e) => {
      const intent = (e.payload as { data: { object: { id: string; amount: number } } }).data.object
      return { eventId: e.id, intentId: intent.id, amount: intent.amount }
    })
}

/** Real-ms gaps between consecutive journal entries (standin's clock runs at scale 1 unless a journey scales it). */
export function gapsBetween(entries: JournalEntry[]): number[] {
  return entries.slice(1).map((e, i) => e.epochMs - entries[i]!.epochMs)
}

/** Every Stripe delivery of `eventType` whose payload names `contains` (an object id). */
export function deliveriesOf(
  standin: StandinClient,
  account: string,
  eventType: string,
  contains: string,
): Promise<WebhookDelivery[]> {
  return standin.webhooks.deliveries.list({
    provider: 'stripe',
    account,
    eventType,
    payloadContains: contains,
  })
}

/**
 * Waits until `read` stays equal to `expected` for QUIET_MS of polling after it
 * first is, failing at once if it ever moves past it: the proof that a late
 * duplicate did not grant a second time.
 */
export async function expectSteady(
  app: AppFlows,
  read: () => Promise<number>,
  expected: number,
  what: string,
): Promise<void> {
  const first = await app.waitFor(read, (v) => v >= expected, `${what} to reach ${expected}`)
  if (first !== expected)
    throw new Error(`${what} is ${first}, expected ${expected}: granted more than once.`)
  const until = Date.now() + QUIET_MS
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    const now = await read()
    if (now !== expected)
      throw new Error(`${what} moved from ${expected} to ${now} after every copy was acknowledged.`)
  }
}

/** A Stripe event around an object, as Stripe's webhook body spells it. */
export function stripeEvent(type: string, object: Record<string, unknown>, createdMs: number): string {
  return JSON.stringify({
    id: `evt_replay_${randomBytes(8).toString('hex')}`,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(createdMs / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  })
}

/** Stripe's `Stripe-Signature` header: `t=<unix seconds>,v1=<HMAC-SHA256 of "t.body">`. */
export function stripeSignature(body: string, secret: string, atMs: number): string {
  const t = Math.floor(atMs / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

/** The app's Stripe webhook URL and the secret standin signs with for it. */
export async function stripeWebhook(
  target: Target,
  standin: StandinClient,
): Promise<{ url: string; secret: string }> {
  const declared = target.profile.providers.stripe?.webhook
  if (!declared) throw new Error('The profile declares no Stripe webhook (providers.stripe.webhook).')
  const url = `${target.baseUrl}${declared.path}`
  const registered = (await standin.webhooks.endpoints.list({ provider: 'stripe' })).find(
    (e) => e.url === url,
  )
  const secret = declared.secret ?? registered?.secret
  if (!secret) throw new Error(`No secret is known for the app's Stripe webhook ${url}.`)
  return { url, secret }
}

/** POSTs a webhook body to the app as a provider (or a forger) would. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, text: await response.text() }
}
