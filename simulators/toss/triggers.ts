import { HarnessError } from '../core/errors.ts'
import type { ProviderContext, TriggerSpec } from '../core/provider.ts'
import { TossFailure } from './errors.ts'
import { deposit, type PaymentRecord, reverseDeposit, type TossState } from './models.ts'
import { announce, transactionKey } from './routes/shared.ts'
import { emitBillingDeleted, transmissionId } from './webhooks.ts'

/**
 * What Toss's developer center does by hand in test mode ("입금 테스트", deleting a
 * billing key): exposed as triggers, `runtime.trigger('virtual-account.deposit',
 * account, { orderId })`, and through the control plane's trigger action.
 */
function paymentOf(ctx: ProviderContext<TossState>, params: Record<string, unknown>): PaymentRecord {
  const key =
    typeof params.paymentKey === 'string'
      ? params.paymentKey
      : typeof params.orderId === 'string'
        ? ctx.state.orders.get(params.orderId)
        : undefined
  const record = key === undefined ? undefined : ctx.state.payments.get(key)
  if (!record)
    throw new HarnessError(
      'STANDIN_NOT_FOUND',
      `Failed to find the Toss payment: no payment for ${JSON.stringify(params)} in account '${ctx.account}'. Pass { paymentKey } or { orderId }.`,
      { field: 'paymentKey' },
    )
  return record
}

/** A refused transition is the caller's mistake (depositing twice), not a crash. */
function guarded(run: TriggerSpec<TossState>['run']): TriggerSpec<TossState>['run'] {
  return (ctx, params) => {
    try {
      return run(ctx, params)
    } catch (error) {
      if (error instanceof TossFailure)
        throw new HarnessError(
          'STANDIN_CONFLICT',
          `Failed to run the Toss trigger: ${error.code} (the payment is not in a state that allows it).`,
        )
      throw error
    }
  }
}

export const triggers: Record<string, TriggerSpec<TossState>> = {
  'virtual-account.deposit': {
    summary:
      'the customer pays into the virtual account: WAITING_FOR_DEPOSIT → DONE, DEPOSIT_CALLBACK and PAYMENT_STATUS_CHANGED',
    run: guarded((ctx, params) => {
      const record = paymentOf(ctx, params)
      deposit(record, ctx.clock.now(), transactionKey(ctx))
      record.timer?.cancel()
      announce(ctx, ctx.account, record)
      return record.payment
    }),
  },
  'virtual-account.deposit-reversed': {
    summary: 'the bank reverses a deposit: DONE → WAITING_FOR_DEPOSIT, with both webhooks',
    run: guarded((ctx, params) => {
      const record = paymentOf(ctx, params)
      reverseDeposit(record, transactionKey(ctx))
      announce(ctx, ctx.account, record)
      return record.payment
    }),
  },
  'billing.deleted': {
    summary: 'the merchant deletes a billing key in the developer center: BILLING_DELETED',
    run: guarded((ctx, params) => {
      const billing =
        typeof params.billingKey === 'string' ? ctx.state.billings.get(params.billingKey) : undefined
      if (!billing)
        throw new HarnessError(
          'STANDIN_NOT_FOUND',
          `Failed to delete the billing key: pass an issued { billingKey }.`,
          {
            field: 'billingKey',
          },
        )
      billing.deleted = true
      emitBillingDeleted(
        { webhooks: ctx.webhooks, now: ctx.clock.now(), id: transmissionId(ctx.ids.mint.bind(ctx.ids)) },
        billing.billing.billingKey,
      )
      return { billingKey: billing.billing.billingKey, deleted: true }
    }),
  },
}
