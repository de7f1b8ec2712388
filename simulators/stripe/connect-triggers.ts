import type { TriggerSpec } from '../core/provider.ts'
import { newAccount, verifyAccount } from './connect-accounts.ts'
import { attachExternalAccount } from './connect-external-accounts.ts'
import { applyConnectParams, refundApplicationFee } from './connect-fees.ts'
import { cancelPayout, newPayout, payPayout } from './connect-payouts.ts'
import { newTransfer, reverseTransfer } from './connect-transfers.ts'
import { confirmIntent, createCardPaymentMethod, newPaymentIntent } from './payments.ts'
import { scopedAccount } from './scope.ts'
import type { StripeContext, StripeState } from './state.ts'
import { sourceOf } from './trigger-support.ts'

/**
 * `stripe trigger` for Connect: each builds the chain a platform would (a
 * verified connected account, funds from a bypass-pending charge, then the
 * transfer, payout or fee) through the code the API uses.
 */
function merchant(ctx: StripeContext) {
  const account = newAccount(sourceOf(ctx), { type: 'express', email: 'merchant@example.com' })
  verifyAccount(ctx, account.id)
  return account
}

function charge(ctx: StripeContext, extra: Record<string, unknown> = {}) {
  const src = sourceOf(ctx)
  const pm = createCardPaymentMethod(src, { number: '4000000000000077' })
  const pi = newPaymentIntent(src, {
    amount: 10_000,
    currency: 'usd',
    payment_method: pm.id,
    capture_method: 'automatic',
  })
  applyConnectParams(ctx, pi, extra)
  confirmIntent(src, pi)
  return pi
}

function transfer(ctx: StripeContext) {
  const account = merchant(ctx)
  charge(ctx)
  return newTransfer(sourceOf(ctx), { amount: 5000, currency: 'usd', destination: account.id })
}

function payout(ctx: StripeContext) {
  charge(ctx)
  return newPayout(sourceOf(ctx), { amount: 5000, currency: 'usd' })
}

/** A transfer reversed in part: transfer.reversed and transfer.updated both come from it. */
function reversedTransfer(ctx: StripeContext) {
  const t = transfer(ctx)
  reverseTransfer(sourceOf(ctx), t, { amount: 1000 })
  return t
}

/** A payout that arrives: payout.updated and payout.paid both come from it. */
function paidPayout(ctx: StripeContext) {
  const p = payout(ctx)
  payPayout(ctx, p.id)
  return p
}

/** A destination charge to a verified account, with an application fee. */
function feeCharge(ctx: StripeContext) {
  const account = merchant(ctx)
  return charge(ctx, { application_fee_amount: 500, transfer_data: { destination: account.id } })
}

export const connectTriggers: Record<string, TriggerSpec<StripeState>> = {
  'account.updated': {
    summary: 'an Express account that test-mode verification enables',
    run: (ctx) => merchant(ctx),
  },
  'transfer.created': { summary: 'a transfer to a verified connected account', run: (ctx) => transfer(ctx) },
  'transfer.reversed': { summary: 'a transfer, reversed in part', run: (ctx) => reversedTransfer(ctx) },
  'transfer.updated': {
    summary: 'a transfer, reversed in part (amount_reversed changes)',
    run: (ctx) => reversedTransfer(ctx),
  },
  'application_fee.created': {
    summary: 'a destination charge with an application fee',
    run: (ctx) => feeCharge(ctx),
  },
  'application_fee.refunded': {
    summary: 'a destination charge whose application fee is refunded',
    run: (ctx) => {
      const pi = feeCharge(ctx)
      const fee = ctx.state.applicationFees.find((f) => f.charge === pi.latest_charge)!
      return refundApplicationFee(sourceOf(ctx), fee as never, {})
    },
  },
  'payout.created': { summary: 'a manual payout of available funds', run: (ctx) => payout(ctx) },
  'payout.updated': { summary: 'a payout that arrives (pending → paid)', run: (ctx) => paidPayout(ctx) },
  'payout.paid': { summary: 'a payout that arrives', run: (ctx) => paidPayout(ctx) },
  'payout.failed': {
    summary: "a connected account's payout to test bank account 000111111116 (no_account)",
    run: (ctx) => {
      const account = merchant(ctx)
      attachExternalAccount(ctx, account, {
        object: 'bank_account',
        country: 'US',
        currency: 'usd',
        routing_number: '110000000',
        account_number: '000111111116',
      })
      charge(ctx)
      newTransfer(sourceOf(ctx), { amount: 5000, currency: 'usd', destination: account.id })
      const actx = ctx.forAccount(scopedAccount(ctx.account, account.id))
      const p = newPayout(sourceOf(actx), { amount: 5000, currency: 'usd' })
      payPayout(actx, p.id)
      return p
    },
  },
  'payout.canceled': {
    summary: 'a pending payout, canceled',
    run: (ctx) => {
      const p = payout(ctx)
      cancelPayout(sourceOf(ctx), p)
      return p
    },
  },
}
