// Connect charges: application fees, destination transfers and what a refund of such a charge gives back.
import { book, bookCharge, syncLedger } from './balance.ts'
import { destinationOf, newTransfer, reverseTransfer } from './connect-transfers.ts'
import { invalidRequest } from './errors.ts'
import type { PaymentIntent } from './models.ts'
import { scopedAccount, scopeOf } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * A PaymentIntent's Connect parameters: `application_fee_amount` with a
 * Stripe-Account header (a direct charge) or with `transfer_data[destination]`
 * (a destination charge), and `on_behalf_of`.
 */
export function applyConnectParams(
  ctx: StripeContext,
  pi: PaymentIntent,
  input: Record<string, unknown>,
): void {
  const fee = input.application_fee_amount as number | undefined
  const transferData = input.transfer_data as { destination?: string; amount?: number } | undefined
  if (transferData?.destination) {
    destinationOf(ctx, transferData.destination, 'transfer_data[destination]')
    pi.transfer_data = {
      ...(transferData.amount !== undefined ? { amount: transferData.amount } : {}),
      destination: transferData.destination,
    }
  }
  if (input.transfer_group !== undefined) pi.transfer_group = input.transfer_group as string
  if (input.on_behalf_of !== undefined) pi.on_behalf_of = input.on_behalf_of as string
  if (fee === undefined) return
  if (!transferData?.destination && !scopeOf(ctx.account).connected)
    invalidRequest(
      'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
      'application_fee_amount',
    )
  if (fee > pi.amount)
    invalidRequest(
      'The application fee cannot be greater than the amount of the payment.',
      'application_fee_amount',
    )
  pi.application_fee_amount = fee
}

/** After a PaymentIntent's charge is captured: the application fee and the destination transfer. */
export function settleConnectCharge(src: EventSource, pi: PaymentIntent): void {
  const { ctx } = src
  const charge = pi.latest_charge ? ctx.state.charges.get(pi.latest_charge) : undefined
  if (!charge?.captured) return
  const feeAmount = (pi.application_fee_amount as number | null) ?? 0
  const destination = (pi.transfer_data as { destination: string; amount: number | null } | null)?.destination
  if (!feeAmount && !destination) return
  const { platform, connected } = scopeOf(ctx.account)
  charge.application_fee_amount = feeAmount || null
  charge.transfer_data = pi.transfer_data
  charge.transfer_group = pi.transfer_group
  if (connected) charge.application = 'ca_standin'
  // The charge's own balance transaction first (its fee details name the application fee).
  bookCharge(ctx, charge)
  if (destination) {
    // Destination charge: the platform keeps the fee and transfers the rest.
    const amount = (pi.transfer_data as { amount?: number }).amount ?? charge.amount_captured - feeAmount
    const transfer = newTransfer(
      src,
      {
        amount,
        currency: charge.currency,
        destination,
        source_transaction: charge.id,
        transfer_group: (pi.transfer_group as string | null) ?? undefined,
      },
      { fromCharge: true },
    )
    charge.transfer = transfer.id
    charge.destination = destination
  }
  if (!feeAmount) return
  // The fee lives on the platform; for a direct charge the charge is on the connected account.
  const platformCtx = connected ? ctx.forAccount(platform) : ctx
  const account = connected ?? destination!
  const id = platformCtx.ids.mint('fee_', 24)
  const txn = book(platformCtx, {
    amount: feeAmount,
    currency: charge.currency,
    type: 'application_fee',
    reportingCategory: 'platform_earning',
    source: id,
    created: src.at,
  })
  const fee = {
    ...blank('application_fee'),
    id,
    object: 'application_fee',
    account,
    amount: feeAmount,
    amount_refunded: 0,
    application: 'ca_standin',
    balance_transaction: txn.id,
    charge: charge.id,
    created: src.at,
    currency: charge.currency,
    livemode: false,
    originating_transaction: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  }
  platformCtx.state.applicationFees.insert(fee as never)
  charge.application_fee = id
  emitEvent({ ...src, ctx: platformCtx }, 'application_fee.created', fee)
}

/** `POST /v1/application_fees/{id}/refunds`: the platform gives (part of) its fee back to the account. */
export function refundApplicationFee(
  src: EventSource,
  fee: Record<string, unknown> & {
    id: string
    amount: number
    amount_refunded: number
    currency: string
    account: string
  },
  input: { amount?: number | undefined; metadata?: Record<string, string> | undefined },
): Record<string, unknown> {
  const { ctx } = src
  const remaining = fee.amount - fee.amount_refunded
  const amount = input.amount ?? remaining
  if (amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (amount > remaining)
    invalidRequest(
      `Refund amount (${amount}) is greater than the application fee's unrefunded amount (${remaining}).`,
      'amount',
    )
  const id = ctx.ids.mint('fr_', 24)
  const txn = book(ctx, {
    amount: -amount,
    currency: fee.currency,
    type: 'application_fee_refund',
    reportingCategory: 'platform_earning_refund',
    source: id,
    created: src.at,
  })
  const account = ctx.forAccount(scopedAccount(ctx.account, fee.account))
  syncLedger(account)
  book(account, {
    amount,
    currency: fee.currency,
    type: 'application_fee_refund',
    reportingCategory: 'fee',
    source: id,
    created: src.at,
  })
  const refund = {
    ...blank('fee_refund'),
    id,
    object: 'fee_refund',
    amount,
    balance_transaction: txn.id,
    created: src.at,
    currency: fee.currency,
    fee: fee.id,
    metadata: input.metadata ?? {},
  }
  fee.amount_refunded += amount
  fee.refunded = fee.amount_refunded >= fee.amount
  ;(fee.refunds as { data: unknown[] }).data.unshift(refund)
  emitEvent(src, 'application_fee.refunded', fee)
  return refund
}

/**
 * After a refund of a Connect charge: `refund_application_fee` gives the fee
 * back in proportion (direct charges), `reverse_transfer` pulls the
 * destination's share back in proportion (destination charges).
 */
export function afterConnectRefund(
  src: EventSource,
  charge: Record<string, unknown> & { id: string; amount_captured: number },
  refund: Record<string, unknown> & { amount: number },
  input: { refund_application_fee?: boolean | undefined; reverse_transfer?: boolean | undefined },
): void {
  const { ctx } = src
  const { platform, connected } = scopeOf(ctx.account)
  const feeId = charge.application_fee as string | null | undefined
  if (input.refund_application_fee && feeId) {
    const pctx = connected ? ctx.forAccount(platform) : ctx
    const fee = pctx.state.applicationFees.get(feeId) as unknown as Parameters<typeof refundApplicationFee>[1]
    if (fee) {
      const share = Math.round((fee.amount * refund.amount) / charge.amount_captured)
      const amount = Math.min(share, fee.amount - fee.amount_refunded)
      if (amount > 0) refundApplicationFee({ ...src, ctx: pctx }, fee, { amount })
    }
  }
  const transferId = charge.transfer as string | null | undefined
  if (input.reverse_transfer) {
    if (!transferId)
      invalidRequest(
        'You cannot reverse the transfer of a charge that has no transfer (reverse_transfer needs a destination charge).',
        'reverse_transfer',
      )
    const transfer = ctx.state.transfers.get(transferId!)!
    const share = Math.round((transfer.amount * refund.amount) / charge.amount_captured)
    const amount = Math.min(share, transfer.amount - transfer.amount_reversed)
    if (amount > 0) {
      const reversal = reverseTransfer(src, transfer, { amount })
      refund.transfer_reversal = reversal.id
    }
  }
}
