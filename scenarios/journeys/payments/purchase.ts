/**
 * What the payment journeys share: opening a purchase, reading what the
 * provider was asked to charge (standin's journal), proving a balance did not
 * move once the app has had its chance to act, and sending the forged proofs
 * an attacker would. Built from steps, the profile and standin's control
 * plane only; provider-side knowledge (operation names, webhook shapes and
 * signature headers) is standin's side.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { StandinClient } from '../../../simulators/core/control/client.ts'
import type { AppFlows } from '../../support/flows.ts'
import { expect } from '../../support/test.ts'
import type { PaymentProvider } from '../../target/profile.ts'
import type { Session, StepResult, Target } from '../../target/target.ts'

export type Package = ReturnType<AppFlows['package']>

/** The package's price with this provider, where the profile gives one. */
export function priceOf(pack: Package, provider: PaymentProvider): number | undefined {
  return pack.price?.[provider]
}

/**
 * Starts buying `pack` with `provider` and checks what the app answered: a
 * payment id, and the amount it will charge equal to the package's price.
 */
export async function startPurchase(
  target: Target,
  session: Session,
  provider: PaymentProvider,
  pack: Package,
  vars: { method?: string; paymentMethod?: string } = {},
): Promise<StepResult<'buyCredits'> & { paymentId: string }> {
  const bought = await target.run('buyCredits', { provider, packageId: pack.id, ...vars }, session)
  expect(bought.ok, target.describe(bought)).toBe(true)
  const paymentId = bought.out.paymentId
  expect(paymentId, `buyCredits answered no paymentId: ${target.describe(bought)}`).toBeTruthy()
  const price = priceOf(pack, provider)
  if (price !== undefined && bought.out.amount !== undefined) expect(Number(bought.out.amount)).toBe(price)
  return { ...bought, paymentId: String(paymentId) }
}

/** The payment's status as the app reports it (the `payment` step). */
export async function paymentStatus(target: Target, session: Session, paymentId: string): Promise<string> {
  const result = await target.must('payment', { paymentId }, session)
  return String(result.out.status)
}

export { journalMark, waitForAcknowledged } from '../../support/evidence.ts'

/**
 * The amount the provider recorded for the app's provider-side object
 * (`providerOrderId` of the buy step): a PaymentIntent or Checkout Session's
 * amount, a Razorpay order's amount, the amount Toss confirmed for an orderId.
 */
export async function amountAtProvider(
  standin: StandinClient,
  target: Target,
  provider: PaymentProvider,
  providerObjectId: string,
  since: number,
): Promise<number | undefined> {
  const account = target.profile.providers[provider]?.account
  // `contains` narrows on the server; the exact field is checked here.
  const read = async (operation: string, field?: [string, string]) =>
    (
      await standin.journal.list({ provider, operation, since, ...(field ? { contains: field[1] } : {}) })
    ).entries.filter(
      (e) =>
        e.status < 300 &&
        (!account || !e.account || e.account === account) &&
        (!field || (e.body as Record<string, unknown> | undefined)?.[field[0]] === field[1]),
    )
  const byId = (entries: { response: unknown }[]) =>
    entries.map((e) => e.response as Record<string, unknown>).find((r) => r?.id === providerObjectId)
  if (provider === 'stripe') {
    if (providerObjectId.startsWith('cs_'))
      return byId(await read('checkout.sessions.create'))?.amount_total as number | undefined
    return byId(await read('payment_intents.create'))?.amount as number | undefined
  }
  if (provider === 'razorpay') return byId(await read('orders.create'))?.amount as number | undefined
  const confirmed = await read('payments.confirm', ['orderId', providerObjectId])
  return (confirmed.at(-1)?.response as Record<string, unknown> | undefined)?.totalAmount as
    | number
    | undefined
}

/** The provider-side object as the provider answered its creation (for building a forged event from it). */
export async function providerObject(
  standin: StandinClient,
  provider: PaymentProvider,
  operation: string,
  id: string,
  since: number,
): Promise<Record<string, unknown>> {
  const { entries } = await standin.journal.list({ provider, operation, since })
  const found = entries
    .map((e) => e.response as Record<string, unknown>)
    .find((r) => r && typeof r === 'object' && r.id === id)
  if (!found) throw new Error(`standin's journal holds no ${provider} ${operation} answer for ${id}.`)
  return found
}

/**
 * Proves the balance stays at `expected` once the app has had its chance to
 * act: polls the balance (a move fails at once) until `settled` shows the app
 * has processed what it was sent, or the profile's settle time passes.
 */
export async function expectBalanceStays(
  app: AppFlows,
  session: Session,
  expected: number,
  settled: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const deadline = Date.now() + app.rules.settleMs
  for (let delay = 25; ; delay = Math.min(delay * 2, 400)) {
    const done = await settled()
    expect(await app.balance(session), `credits after ${what}`).toBe(expected)
    if (done || Date.now() > deadline) return
    await new Promise((r) => setTimeout(r, delay))
  }
}

/**
 * Posts an event to the app's webhook endpoint for `provider` as an attacker
 * would: the provider's wire shape, signed with a secret that is not the
 * app's. Answers the app's HTTP status.
 */
export async function postForgedWebhook(
  target: Target,
  app: AppFlows,
  provider: 'stripe' | 'razorpay',
  event: Record<string, unknown>,
): Promise<number> {
  const hook = target.profile.providers[provider]?.webhook
  if (!hook)
    throw new Error(`The profile names no ${provider} webhook endpoint (providers.${provider}.webhook).`)
  const raw = JSON.stringify(event)
  const forgedSecret = `forged_${randomBytes(8).toString('hex')}`
  const hmac = (data: string) => createHmac('sha256', forgedSecret).update(data).digest('hex')
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (provider === 'stripe') {
    const t = Math.floor((await app.now()) / 1000)
    headers['stripe-signature'] = `t=${t},v1=${hmac(`${t}.${raw}`)}`
  } else {
    headers['x-razorpay-signature'] = hmac(raw)
    headers['x-razorpay-event-id'] = `evt_${randomBytes(7).toString('hex')}`
  }
  const response = await fetch(`${target.baseUrl}${hook.path}`, { method: 'POST', headers, body: raw })
  await response.arrayBuffer()
  return response.status
}

/** A random id in a provider's style, for objects that never existed. */
export const fakeId = (prefix: string, length = 14) =>
  `${prefix}${randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length)}`
