import { copyJson } from '../core/json-copy.ts'
import type { ProviderContext } from '../core/provider.ts'
import { fail, invalidParam } from './errors.ts'
import type { Payment, RazorpayState } from './models.ts'
import { wireNotes } from './models.ts'
import type { Reversal, Transfer } from './transfer-models.ts'

/**
 * Route transfers (a marketplace paying its linked accounts): transfers from
 * a captured payment or from the balance, settlement holds (`on_hold`,
 * `on_hold_until`, released by PATCH or when the time passes on the virtual
 * clock), reversals. Test mode processes a transfer at once
 * (`transfer.processed`). Linked accounts are made by the
 * `route.linked_account` trigger (Razorpay makes them on the dashboard or the
 * v2 Accounts API, which standin does not serve).
 */
type Ctx = ProviderContext<RazorpayState>

export { Reversal, Transfer } from './transfer-models.ts'

/** The Route state of an account (kept in its billing state, so reset and inspection see it). */
export function routeOf(state: RazorpayState) {
  return state.billing.route
}

export interface TransferInput {
  account?: string | undefined
  amount?: number | undefined
  currency?: string | undefined
  notes?: Record<string, unknown> | undefined
  linked_account_notes?: string[] | undefined
  on_hold?: boolean | undefined
  on_hold_until?: number | undefined
}

function checkTransfer(ctx: Ctx, input: TransferInput, i: number | undefined): void {
  const at = (field: string) => (i === undefined ? field : `transfers.${i}.${field}`)
  if (input.account === undefined) invalidParam('The account field is required.', at('account'))
  if (!input.account.startsWith('acc_'))
    fail({ description: `${input.account} is not a valid id`, field: at('account') })
  if (!routeOf(ctx.state).linkedAccounts.has(input.account))
    fail({ description: 'The id provided does not exist', field: at('account') })
  if (input.amount === undefined) invalidParam('The amount field is required.', at('amount'))
  if (input.amount < 100) invalidParam('The amount must be at least INR 1.00', at('amount'))
  if (input.currency === undefined) invalidParam('The currency field is required.', at('currency'))
  // "We support route transfers only in INR."
  if (input.currency !== 'INR') invalidParam('Currency is not supported', at('currency'))
  if (input.on_hold_until !== undefined && input.on_hold_until <= ctx.clock.unix())
    invalidParam('on_hold_until should be a future timestamp', at('on_hold_until'))
  for (const key of input.linked_account_notes ?? [])
    if (!input.notes || !(key in input.notes))
      invalidParam('linked_account_notes keys should be present in notes', at('linked_account_notes'))
}

/** Already transferred (net of reversals) out of a payment. */
function transferredFrom(ctx: Ctx, paymentId: string): number {
  return routeOf(ctx.state)
    .transfers.filter((t) => t.source === paymentId)
    .reduce((sum, t) => sum + t.amount - t.amount_reversed, 0)
}

/** Transfers from a captured payment, all or none, each processed at once (test mode). */
export function transferFromPayment(ctx: Ctx, payment: Payment, inputs: TransferInput[]): Transfer[] {
  if (inputs.length === 0) invalidParam('The transfers field is required.', 'transfers')
  for (const [i, input] of inputs.entries()) checkTransfer(ctx, input, i)
  if (payment.status !== 'captured')
    fail({ description: 'Transfers can be created only for captured payments', field: null })
  const asked = inputs.reduce((sum, t) => sum + t.amount!, 0)
  if (asked + transferredFrom(ctx, payment.id) > payment.amount - payment.amount_refunded)
    fail({
      description: 'The sum of amount requested for transfer is greater than the captured amount',
      field: 'amount',
    })
  return inputs.map((input) => makeTransfer(ctx, payment.id, input))
}

/** A direct transfer from the merchant's balance (not modelled: always enough). */
export function directTransfer(ctx: Ctx, input: TransferInput): Transfer {
  checkTransfer(ctx, input, undefined)
  return makeTransfer(ctx, ctx.state.accountId, input)
}

function makeTransfer(ctx: Ctx, source: string, input: TransferInput): Transfer {
  const now = ctx.clock.unix()
  const id = ctx.ids.mint('trf_', 14)
  const onHold = input.on_hold ?? input.on_hold_until !== undefined
  const transfer = routeOf(ctx.state).transfers.insert({
    id,
    entity: 'transfer',
    status: 'processed',
    settlement_status: onHold ? 'on_hold' : 'pending',
    source,
    recipient: input.account!,
    amount: input.amount!,
    currency: input.currency!,
    amount_reversed: 0,
    fees: 0,
    tax: 0,
    notes: wireNotes(input.notes),
    linked_account_notes: input.linked_account_notes ?? [],
    on_hold: onHold,
    on_hold_until: input.on_hold_until ?? null,
    recipient_settlement_id: null,
    created_at: now,
    processed_at: now,
    error: {
      code: null,
      description: null,
      reason: null,
      field: null,
      step: null,
      id,
      source: null,
      metadata: null,
    },
  })
  scheduleRelease(ctx, transfer)
  emitTransfer(ctx, 'transfer.processed', transfer)
  return transfer
}

function emitTransfer(ctx: Ctx, type: 'transfer.processed', transfer: Transfer) {
  return ctx.webhooks.emit({
    type,
    id: ctx.ids.mint('', 14),
    payload: {
      entity: 'event',
      account_id: ctx.state.accountId,
      event: type,
      contains: ['transfer'],
      payload: { transfer: { entity: copyJson(transfer) } },
      created_at: ctx.clock.unix(),
    },
  })
}

/** `on_hold_until` passed: the settlement is released (on the virtual clock). */
function scheduleRelease(ctx: Ctx, transfer: Transfer): void {
  const route = routeOf(ctx.state)
  route.holdTimers.get(transfer.id)?.cancel()
  route.holdTimers.delete(transfer.id)
  if (!transfer.on_hold || transfer.on_hold_until === null) return
  const id = transfer.id
  const timer = ctx.later(Math.max(0, transfer.on_hold_until * 1000 - ctx.clock.now()), () => {
    route.holdTimers.delete(id)
    const current = route.transfers.get(id)
    if (!current?.on_hold) return
    current.on_hold = false
    current.on_hold_until = null
    current.settlement_status = 'pending'
  })
  route.holdTimers.set(id, timer)
}

/** PATCH: put the settlement on hold (until a time, or indefinitely) or release it; a settled transfer cannot change. */
export function editHold(
  ctx: Ctx,
  transfer: Transfer,
  onHold: boolean | undefined,
  until: number | undefined,
): void {
  if (onHold === undefined) invalidParam('The on_hold field is required.', 'on_hold')
  if (transfer.settlement_status === 'settled')
    fail({ description: 'Settlement hold cannot be modified for a settled transfer', field: null })
  if (until !== undefined && until <= ctx.clock.unix())
    invalidParam('on_hold_until should be a future timestamp', 'on_hold_until')
  transfer.on_hold = onHold
  transfer.on_hold_until = onHold ? (until ?? null) : null
  transfer.settlement_status = onHold ? 'on_hold' : 'pending'
  scheduleRelease(ctx, transfer)
}

/** A reversal of `amount` (default: what is left) back to the merchant. */
export function reverse(
  ctx: Ctx,
  transfer: Transfer,
  amount: number | undefined,
  notes: Record<string, unknown> | undefined,
): Reversal {
  const left = transfer.amount - transfer.amount_reversed
  if (left <= 0) fail({ description: 'The transfer has been fully reversed already', field: null })
  const value = amount ?? left
  if (value < 100) invalidParam('The amount must be at least INR 1.00', 'amount')
  if (value > left)
    fail({
      description: 'Reversal amount cannot be greater than the unreversed transfer amount',
      field: 'amount',
    })
  transfer.amount_reversed += value
  transfer.status = transfer.amount_reversed === transfer.amount ? 'reversed' : 'partially_reversed'
  return routeOf(ctx.state).reversals.insert({
    id: ctx.ids.mint('rvrsl_', 14),
    entity: 'reversal',
    transfer_id: transfer.id,
    amount: value,
    fee: 0,
    tax: 0,
    currency: transfer.currency,
    notes: wireNotes(notes),
    initiator_id: ctx.state.accountId.replace(/^acc_/, ''),
    customer_refund_id: null,
    utr: null,
    created_at: ctx.clock.unix(),
  })
}

/** A linked account of this merchant (trigger `route.linked_account`). */
export function addLinkedAccount(ctx: Ctx, name: string, email: string): string {
  const id = ctx.ids.mint('acc_', 14)
  routeOf(ctx.state).linkedAccounts.set(id, { name, email })
  return id
}

/**
 * `reverse_all` on a refund: a full refund reverses every transfer of the
 * payment in full; a partial refund of a payment transferred to one account
 * reverses the refunded amount from it; a partial refund of a payment split
 * between several accounts is refused ("Razorpay cannot determine which
 * transfer to reverse partially").
 */
export function reverseForRefund(ctx: Ctx, payment: Payment, amount: number | undefined): void {
  const open = routeOf(ctx.state).transfers.filter(
    (t) => t.source === payment.id && t.amount > t.amount_reversed,
  )
  if (open.length === 0) return
  const refundable = payment.amount - payment.amount_refunded
  // A refund that will be refused reverses nothing: refund() answers its own error.
  if (payment.status !== 'captured' || (amount !== undefined && amount > refundable)) return
  const full = amount === undefined || amount >= refundable
  if (full) {
    for (const t of open) reverse(ctx, t, undefined, undefined)
    return
  }
  if (open.length > 1)
    invalidParam(
      'reverse_all cannot be used for a partial refund of a payment transferred to multiple accounts',
      'reverse_all',
    )
  const only = open[0]!
  reverse(ctx, only, Math.min(amount, only.amount - only.amount_reversed), undefined)
}
