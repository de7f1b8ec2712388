import { z } from 'zod'
import { cancel, settleCancel } from '../models.ts'
import { FOREIGN_CANCEL_SETTLE_MS } from '../test-values.ts'
import { emitCancelStatus, transmissionId } from '../webhooks.ts'
import { announce, api, findPayment, Money, PartAmount, route, transactionKey } from './shared.ts'

/**
 * `POST /v1/payments/{paymentKey}/cancel`: a full cancel without `cancelAmount`,
 * a partial one with it. Overseas easy-pay cancels settle asynchronously: the
 * cancel entry is `IN_PROGRESS` and a CANCEL_STATUS_CHANGED webhook reports `DONE`.
 */
const CancelBody = z.object({
  cancelReason: z.string().min(1).max(200),
  cancelAmount: Money.optional(),
  taxFreeAmount: PartAmount.optional(),
  refundableAmount: PartAmount.optional(),
  currency: z.string().optional(),
  refundReceiveAccount: z
    .object({
      bank: z.string().min(1),
      accountNumber: z.string().regex(/^\d{6,20}$/),
      holderName: z.string().min(1).max(60),
    })
    .optional(),
})

export const cancelRoutes = [
  route({
    operation: 'payments.cancel',
    method: 'POST',
    path: '/v1/payments/:paymentKey/cancel',
    input: CancelBody,
    handler: api((req, ctx, input) => {
      const record = findPayment(ctx.state, req.params.paymentKey!)
      const async = record.session.chosenMethod === 'FOREIGN_EASY_PAY'
      const account = input.refundReceiveAccount
      const entry = cancel(
        record,
        {
          cancelReason: input.cancelReason,
          cancelAmount: input.cancelAmount,
          taxFreeAmount: input.taxFreeAmount,
          refundableAmount: input.refundableAmount,
          refundReceiveAccount: account
            ? { bankCode: account.bank, accountNumber: account.accountNumber, holderName: account.holderName }
            : undefined,
        },
        { now: ctx.clock.now(), transactionKey: transactionKey(ctx), async },
      )
      // A canceled virtual account no longer waits for its due date.
      if (record.payment.status === 'CANCELED') record.timer?.cancel()
      announce(ctx, ctx.account, record)
      if (async) {
        const owner = ctx.account
        ctx.later(FOREIGN_CANCEL_SETTLE_MS, () => {
          if (entry.cancelStatus !== 'IN_PROGRESS') return
          settleCancel(entry)
          const webhooks = ctx.webhooksFor(owner)
          emitCancelStatus(
            { webhooks, now: ctx.clock.now(), id: transmissionId(ctx.ids.mint.bind(ctx.ids)) },
            entry,
          )
        })
      }
      return { status: 200, body: record.payment }
    }),
  }),
]
