import { cardOf } from './charges.ts'
import type { BalanceTransaction, Charge, Refund } from './models.ts'
import type { StripeContext, StripeState } from './state.ts'
import { emitEvent } from './webhooks.ts'

/**
 * The ledger behind `/v1/balance` and `/v1/balance_transactions`: one balance
 * transaction per movement of money (charge, refund, refund failure, dispute
 * withdrawal and reinstatement, application fee, transfer, payout), so the
 * balance is always the sum of its transactions.
 *
 * Charges and refunds mint their `txn_` ids where they happen (payments.ts);
 * `syncLedger` books those here on the next read, in order of `created`.
 * Everything else (disputes, Connect) books its own transactions directly.
 */
export const DAY = 86_400

/** Stripe's standard card pricing (US): 2.9% + 30¢. A choice for every currency, see README. */
export const processingFee = (amount: number) => Math.round(amount * 0.029) + 30

/** When pending funds become available: `delayDays` (two by default, the US schedule) later, at the next midnight UTC. */
export const availableOn = (created: number, delayDays = 2) =>
  Math.ceil((created + delayDays * DAY) / DAY) * DAY

/** A connected account's `settings.payouts.schedule.delay_days`; two on the platform. */
function delayDaysOf(ctx: StripeContext): number {
  const i = ctx.account.indexOf('/')
  if (i < 0) return 2
  const account = ctx.forAccount(ctx.account.slice(0, i)).state.accounts.get(ctx.account.slice(i + 1))
  const days = (account?.settings as { payouts?: { schedule?: { delay_days?: unknown } } } | undefined)
    ?.payouts?.schedule?.delay_days
  return typeof days === 'number' ? days : 2
}

export interface BookInput {
  id?: string
  amount: number
  currency: string
  type: string
  reportingCategory: string
  source: string | null
  description?: string | null
  created: number
  availableOn?: number
  fees?: {
    amount: number
    type: 'stripe_fee' | 'application_fee'
    description: string
    application?: string
  }[]
}

/** Records one balance transaction and returns it. */
export function book(ctx: StripeContext, input: BookInput): BalanceTransaction {
  const fees = input.fees ?? []
  const fee = fees.reduce((sum, f) => sum + f.amount, 0)
  const availableAt = input.availableOn ?? input.created
  const txn = {
    id: input.id ?? ctx.ids.mint('txn_', 24),
    object: 'balance_transaction',
    amount: input.amount,
    available_on: availableAt,
    created: input.created,
    currency: input.currency,
    description: input.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: fees.map((f) => ({
      amount: f.amount,
      application: f.application ?? null,
      currency: input.currency,
      description: f.description,
      type: f.type,
    })),
    net: input.amount - fee,
    reporting_category: input.reportingCategory,
    source: input.source,
    status: availableAt <= ctx.clock.unix() ? 'available' : 'pending',
    type: input.type,
  } as BalanceTransaction
  ctx.state.balanceTransactions.insert(txn)
  if (txn.status === 'pending') announceAvailable(ctx, availableAt)
  return txn
}

const announced = new WeakMap<StripeState, Set<number>>()

/** Stripe sends `balance.available` when pending funds become available: once per instant funds land (the instants still ahead are kept). */
function announceAvailable(ctx: StripeContext, at: number): void {
  let set = announced.get(ctx.state)
  if (!set) {
    set = new Set()
    announced.set(ctx.state, set)
  }
  if (set.has(at)) return
  set.add(at)
  const instants = set
  ctx.later((at - ctx.clock.unix()) * 1000, () => {
    // Once funds have landed, no pending transaction can land at that instant again: the entry goes.
    instants.delete(at)
    emitEvent({ ctx, at, request: null }, 'balance.available', balanceOf(ctx))
  })
}

function chargeTxn(ctx: StripeContext, charge: Charge): BookInput {
  const pm = charge.payment_method ? ctx.state.paymentMethods.get(charge.payment_method as string) : undefined
  const card = pm ? cardOf(pm) : undefined
  const applicationFee = (charge.application_fee_amount as number | null) ?? 0
  const fees: NonNullable<BookInput['fees']> = [
    {
      amount: processingFee(charge.amount_captured),
      type: 'stripe_fee',
      description: 'Stripe processing fees',
    },
  ]
  if (applicationFee > 0)
    fees.push({
      amount: applicationFee,
      type: 'application_fee',
      description: 'Application fee',
      application: (charge.application as string | null) ?? undefined,
    })
  return {
    id: charge.balance_transaction as string,
    amount: charge.amount_captured,
    currency: charge.currency,
    type: charge.id.startsWith('py_') ? 'payment' : 'charge',
    reportingCategory: 'charge',
    source: charge.id,
    description: (charge.description as string | null) ?? null,
    created: charge.created,
    availableOn: card?.bypassPending ? charge.created : availableOn(charge.created, delayDaysOf(ctx)),
    fees,
  }
}

function refundTxns(refund: Refund, charge: Charge | undefined): BookInput[] {
  const out: BookInput[] = []
  const currency = (refund.currency as string) ?? charge?.currency ?? 'usd'
  if (refund.balance_transaction)
    out.push({
      id: refund.balance_transaction as string,
      amount: -refund.amount,
      currency,
      type: 'refund',
      reportingCategory: 'refund',
      source: refund.id,
      description: 'REFUND FOR CHARGE',
      created: refund.created,
    })
  if (refund.failure_balance_transaction)
    out.push({
      id: refund.failure_balance_transaction as string,
      amount: refund.amount,
      currency,
      type: 'refund_failure',
      reportingCategory: 'refund_failure',
      source: refund.id,
      description: 'REFUND FAILURE',
      created: refund.created,
    })
  return out
}

/**
 * Books the transactions charges and refunds minted since the last call and
 * refreshes each pending/available status against the clock. Called before
 * every read of the ledger and before anything else books into it.
 */
export function syncLedger(ctx: StripeContext): void {
  const { state } = ctx
  const ledger = state.balanceTransactions
  let added = false
  for (const charge of state.charges.all()) {
    if (charge.status !== 'succeeded' || !charge.balance_transaction) continue
    if (ledger.has(charge.balance_transaction as string)) continue
    book(ctx, chargeTxn(ctx, charge))
    added = true
  }
  for (const refund of state.refunds.all())
    for (const input of refundTxns(refund, state.charges.get(refund.charge))) {
      if (ledger.has(input.id!)) continue
      book(ctx, input)
      added = true
    }
  if (added) reorder(state)
  const now = ctx.clock.unix()
  for (const txn of ledger.all()) txn.status = txn.available_on <= now ? 'available' : 'pending'
}

/**
 * Books one captured charge now (called where a charge is captured, so the
 * write path stays O(1) per payment; `syncLedger` walks everything only on reads).
 */
export function bookCharge(ctx: StripeContext, charge: Charge): void {
  if (charge.status !== 'succeeded' || !charge.balance_transaction) return
  if (ctx.state.balanceTransactions.has(charge.balance_transaction as string)) return
  book(ctx, chargeTxn(ctx, charge))
}

/** Books one refund's transactions now. */
export function bookRefund(ctx: StripeContext, refund: Refund): void {
  for (const input of refundTxns(refund, ctx.state.charges.get(refund.charge)))
    if (!ctx.state.balanceTransactions.has(input.id!)) book(ctx, input)
}

/** Keeps the ledger in order of `created` (lists page newest first by insertion). */
function reorder(state: StripeState): void {
  const all = state.balanceTransactions.all()
  const sorted = all.map((t, i) => ({ t, i })).sort((a, b) => a.t.created - b.t.created || a.i - b.i)
  for (const { t } of sorted) state.balanceTransactions.delete(t.id)
  for (const { t } of sorted) state.balanceTransactions.insert(t)
}

/** `/v1/balance`: available and pending per currency, each the sum of its transactions' `net`. */
export function balanceOf(ctx: StripeContext): Record<string, unknown> {
  syncLedger(ctx)
  const available = new Map<string, number>()
  const pending = new Map<string, number>()
  for (const txn of ctx.state.balanceTransactions.all()) {
    const bucket = txn.status === 'available' ? available : pending
    bucket.set(txn.currency, (bucket.get(txn.currency) ?? 0) + txn.net)
    // Every currency that has moved shows in both lists, as Stripe shows them.
    for (const m of [available, pending]) if (!m.has(txn.currency)) m.set(txn.currency, 0)
  }
  if (available.size === 0) {
    available.set('usd', 0)
    pending.set('usd', 0)
  }
  const amounts = (m: Map<string, number>) =>
    [...m.entries()].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }))
  return {
    object: 'balance',
    available: amounts(available),
    connect_reserved: [...available.keys()].map((currency) => ({ amount: 0, currency })),
    livemode: false,
    pending: amounts(pending),
  }
}

/** The available balance in one currency, for payouts and transfers. */
export function availableIn(ctx: StripeContext, currency: string): number {
  syncLedger(ctx)
  let sum = 0
  for (const txn of ctx.state.balanceTransactions.all())
    if (txn.currency === currency && txn.status === 'available') sum += txn.net
  return sum
}
