// Transfers from the platform to connected accounts and their reversals: money moving between two ledgers.
import { availableIn, book, syncLedger } from './balance.ts'
import { fail, invalidRequest } from './errors.ts'
import type { ConnectedAccount, Transfer } from './models.ts'
import { scopedAccount, scopeOf } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

export function assertFunds(ctx: StripeContext, amount: number, currency: string): void {
  if (availableIn(ctx, currency) >= amount) return
  fail(400, {
    type: 'invalid_request_error',
    code: 'balance_insufficient',
    message:
      'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance',
  })
}

export function destinationOf(ctx: StripeContext, id: string, param: string): ConnectedAccount {
  const account = ctx.state.accounts.get(id)
  if (!account || account.deleted) invalidRequest(`No such destination: '${id}'`, param)
  if ((account!.capabilities as Record<string, string>).transfers !== 'active')
    invalidRequest(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
      param,
      'insufficient_capabilities_for_transfer',
    )
  return account!
}

export function newTransfer(
  src: EventSource,
  input: {
    amount: number
    currency: string
    destination: string
    description?: string | undefined
    transfer_group?: string | undefined
    source_transaction?: string | undefined
    metadata?: Record<string, string> | undefined
  },
  options: { fromCharge?: boolean } = {},
): Transfer {
  const { ctx } = src
  if (scopeOf(ctx.account).connected)
    invalidRequest('Transfers can only be created by the platform.', undefined)
  destinationOf(ctx, input.destination, 'destination')
  if (input.amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (input.source_transaction) {
    const charge = ctx.state.charges.get(input.source_transaction)
    if (!charge)
      invalidRequest(
        `No such charge: '${input.source_transaction}'`,
        'source_transaction',
        'resource_missing',
      )
  } else if (!options.fromCharge) assertFunds(ctx, input.amount, input.currency)
  const id = ctx.ids.mint('tr_', 24)
  const platformTxn = book(ctx, {
    amount: -input.amount,
    currency: input.currency,
    type: 'transfer',
    reportingCategory: 'transfer',
    source: id,
    description: input.description ?? null,
    created: src.at,
  })
  const dest = ctx.forAccount(scopedAccount(ctx.account, input.destination))
  syncLedger(dest)
  // The destination receives a Payment (`py_`), booked in its own ledger.
  const paymentId = dest.ids.mint('py_', 24)
  const paymentTxn = book(dest, {
    amount: input.amount,
    currency: input.currency,
    type: 'payment',
    reportingCategory: 'charge',
    source: paymentId,
    description: null,
    created: src.at,
    availableOn: src.at,
  })
  dest.state.charges.insert({
    ...blank('charge'),
    id: paymentId,
    object: 'charge',
    amount: input.amount,
    amount_captured: input.amount,
    amount_refunded: 0,
    balance_transaction: paymentTxn.id,
    billing_details: { address: null, email: null, name: null, phone: null },
    captured: true,
    created: src.at,
    currency: input.currency,
    customer: null,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: null,
    payment_method: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${paymentId}/refunds` },
    source_transfer: id,
    status: 'succeeded',
  } as never)
  const transfer = {
    ...blank('transfer'),
    id,
    object: 'transfer',
    amount: input.amount,
    amount_reversed: 0,
    balance_transaction: platformTxn.id,
    created: src.at,
    currency: input.currency,
    description: input.description ?? null,
    destination: input.destination,
    destination_payment: paymentId,
    livemode: false,
    metadata: input.metadata ?? {},
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: input.source_transaction ?? null,
    source_type: 'card',
    transfer_group: input.transfer_group ?? null,
  } as unknown as Transfer
  ctx.state.transfers.insert(transfer)
  emitEvent(src, 'transfer.created', transfer)
  return transfer
}

export function reverseTransfer(
  src: EventSource,
  transfer: Transfer,
  input: {
    amount?: number | undefined
    description?: string | undefined
    metadata?: Record<string, string> | undefined
  },
): Record<string, unknown> {
  const { ctx } = src
  const remaining = transfer.amount - transfer.amount_reversed
  const amount = input.amount ?? remaining
  if (remaining <= 0)
    invalidRequest(
      `Transfer ${transfer.id} has already been fully reversed.`,
      undefined,
      'transfer_already_reversed' as never,
    )
  if (amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (amount > remaining)
    invalidRequest(
      `Transfer reversal amount (${amount}) is greater than the transfer's remaining amount (${remaining}).`,
      'amount',
    )
  // The reversal is taken even when it leaves the account negative: the platform carries
  // negative balances of Express and Custom accounts (settings.payouts.debit_negative_balances).
  const dest = ctx.forAccount(scopedAccount(ctx.account, transfer.destination))
  syncLedger(dest)
  const id = ctx.ids.mint('trr_', 24)
  const txn = book(ctx, {
    amount,
    currency: transfer.currency,
    type: 'transfer_refund',
    reportingCategory: 'transfer_reversal',
    source: id,
    created: src.at,
  })
  book(dest, {
    amount: -amount,
    currency: transfer.currency,
    type: 'payment_refund',
    reportingCategory: 'refund',
    source: id,
    created: src.at,
  })
  const reversal = {
    ...blank('transfer_reversal'),
    id,
    object: 'transfer_reversal',
    amount,
    balance_transaction: txn.id,
    created: src.at,
    currency: transfer.currency,
    destination_payment_refund: null,
    metadata: input.metadata ?? {},
    source_refund: null,
    transfer: transfer.id,
  }
  const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed }
  transfer.amount_reversed += amount
  transfer.reversed = transfer.amount_reversed >= transfer.amount
  transfer.reversals.data.unshift(reversal)
  emitEvent(src, 'transfer.reversed', transfer)
  emitEvent(src, 'transfer.updated', transfer, previous)
  return reversal
}
