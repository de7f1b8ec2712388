// Payouts of a balance to a bank (manual or on schedule): how they arrive, fail or are canceled.
import { book, DAY, syncLedger } from './balance.ts'
import { PAYOUT_BANK_FAILURES, payoutDestination } from './connect-external-accounts.ts'
import { assertFunds } from './connect-transfers.ts'
import { invalidRequest } from './errors.ts'
import type { Payout } from './models.ts'
import { scopedAccount } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/** How long a payout takes to arrive, in days (standard payouts: about two business days). */
export const PAYOUT_ARRIVES_AFTER_DAYS = 2

export function newPayout(
  src: EventSource,
  input: {
    amount: number
    currency: string
    description?: string | undefined
    metadata?: Record<string, string> | undefined
    method?: string | undefined
    statement_descriptor?: string | undefined
  },
  automatic = false,
): Payout {
  const { ctx } = src
  if (input.amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  assertFunds(ctx, input.amount, input.currency)
  const id = ctx.ids.mint('po_', 24)
  const txn = book(ctx, {
    amount: -input.amount,
    currency: input.currency,
    type: 'payout',
    reportingCategory: 'payout',
    source: id,
    description: input.description ?? 'STRIPE PAYOUT',
    created: src.at,
  })
  const arrival = Math.ceil((src.at + PAYOUT_ARRIVES_AFTER_DAYS * DAY) / DAY) * DAY
  const bank = payoutDestination(ctx, input.currency)
  const payout = {
    ...blank('payout'),
    id,
    object: 'payout',
    amount: input.amount,
    arrival_date: arrival,
    automatic,
    balance_transaction: txn.id,
    created: src.at,
    currency: input.currency,
    description: input.description ?? 'STRIPE PAYOUT',
    destination: bank?.id ?? null,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: input.metadata ?? {},
    method: input.method ?? 'standard',
    original_payout: null,
    reconciliation_status: automatic ? 'not_applicable' : 'not_applicable',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: input.statement_descriptor ?? null,
    status: 'pending',
    type: 'bank_account',
  } as unknown as Payout
  txn._payout = id
  ctx.state.payouts.insert(payout)
  emitEvent(src, 'payout.created', payout)
  ctx.later(Math.max(0, arrival - src.at) * 1000, () => payPayout(ctx, id))
  return payout
}

/** A pending payout arrives: paid, with payout.updated and payout.paid. */
export function payPayout(ctx: StripeContext, id: string): void {
  const payout = ctx.state.payouts.get(id)
  if (payout?.status !== 'pending') return
  const bank = payout.destination ? payoutDestination(ctx, payout.currency) : undefined
  const failure = bank?.id === payout.destination ? PAYOUT_BANK_FAILURES[bank?._number ?? ''] : undefined
  if (failure) {
    failPayout(ctx, payout, failure)
    return
  }
  const src = { ctx, at: ctx.clock.unix(), request: null }
  payout.status = 'paid'
  if (payout.automatic) payout.reconciliation_status = 'completed'
  emitEvent(src, 'payout.updated', payout, { status: 'pending' })
  emitEvent(src, 'payout.paid', payout)
}

export function cancelPayout(src: EventSource, payout: Payout): void {
  if (payout.status !== 'pending')
    invalidRequest(`Payouts can only be canceled while they are pending.`, undefined)
  if (payout.automatic) invalidRequest('Automatic payouts cannot be canceled.', undefined)
  const { ctx } = src
  const txn = book(ctx, {
    amount: payout.amount,
    currency: payout.currency,
    type: 'payout_cancel',
    reportingCategory: 'payout_reversal',
    source: payout.id,
    description: 'STRIPE PAYOUT CANCEL',
    created: src.at,
  })
  payout.status = 'canceled'
  payout.failure_balance_transaction = txn.id
  emitEvent(src, 'payout.updated', payout, { status: 'pending' })
  emitEvent(src, 'payout.canceled', payout)
}

/**
 * Automatic payouts of a connected account on its schedule: at each midnight
 * UTC the schedule allows (daily; weekly on `weekly_anchor`; monthly on
 * `monthly_anchor`), the available balance of each currency is paid out.
 */
export function schedulePayouts(platform: StripeContext, id: string): void {
  const now = platform.clock.unix()
  const next = (Math.floor(now / DAY) + 1) * DAY
  platform.later((next - now) * 1000, () => {
    const account = platform.state.accounts.get(id)
    if (!account || account.deleted) return
    const schedule = (account.settings as { payouts: { schedule: Record<string, unknown> } }).payouts.schedule
    const day = new Date(next * 1000)
    const due =
      schedule.interval === 'daily' ||
      (schedule.interval === 'weekly' &&
        ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][day.getUTCDay()] ===
          schedule.weekly_anchor) ||
      (schedule.interval === 'monthly' && day.getUTCDate() === schedule.monthly_anchor)
    if (due && account.payouts_enabled) {
      const ctx = platform.forAccount(scopedAccount(platform.account, id))
      syncLedger(ctx)
      const byCurrency = new Map<string, number>()
      for (const txn of ctx.state.balanceTransactions.all())
        if (txn.status === 'available')
          byCurrency.set(txn.currency, (byCurrency.get(txn.currency) ?? 0) + txn.net)
      for (const [currency, amount] of byCurrency)
        if (amount > 0) newPayout({ ctx, at: next, request: null }, { amount, currency }, true)
    }
    schedulePayouts(platform, id)
  })
}

/** A payout to a failing test bank account fails at arrival; the money comes back to the balance. */
export function failPayout(
  ctx: StripeContext,
  payout: Payout,
  failure: { code: string; message: string },
): void {
  const src = { ctx, at: ctx.clock.unix(), request: null }
  const txn = book(ctx, {
    amount: payout.amount,
    currency: payout.currency,
    type: 'payout_failure',
    reportingCategory: 'payout_reversal',
    source: payout.id,
    description: 'STRIPE PAYOUT FAILURE',
    created: src.at,
  })
  payout.status = 'failed'
  payout.failure_code = failure.code
  payout.failure_message = failure.message
  payout.failure_balance_transaction = txn.id
  emitEvent(src, 'payout.updated', payout, {
    status: 'pending',
    failure_code: null,
    failure_message: null,
    failure_balance_transaction: null,
  })
  emitEvent(src, 'payout.failed', payout)
}
