import { z } from 'zod'
import { amount, boolean, integer, notes, oneOf, string } from './codec.ts'
import { ListParams } from './params.ts'

/** Request parameters of Customers, Plans, Subscriptions and Payment Links, in Razorpay's words (codec.ts). */

/** `fail_existing`: "0" / "1" as the docs send it, numbers and booleans as SDKs do. */
const failExisting = z
  .any()
  .transform((value, ctx): boolean | undefined => {
    if (value === undefined || value === null || value === '') return undefined
    if (['1', 1, true, 'true'].includes(value)) return true
    if (['0', 0, false, 'false'].includes(value)) return false
    ctx.addIssue({ code: 'custom', message: 'The selected fail existing is invalid.' })
    return z.NEVER
  })
  .optional()

export const CustomerCreateParams = z.strictObject({
  name: string('name', { max: 50 }),
  email: string('email', { max: 64 }),
  contact: string('contact', { max: 15 }),
  gstin: string('gstin', { max: 15 }),
  fail_existing: failExisting,
  notes,
})

export const CustomerEditParams = z.strictObject({
  name: string('name', { max: 50 }),
  email: string('email', { max: 64 }),
  contact: string('contact', { max: 15 }),
  gstin: string('gstin', { max: 15 }),
  notes,
})

export const CustomerListParams = z.object({ count: ListParams.count, skip: ListParams.skip })

export const PlanCreateParams = z.strictObject({
  period: oneOf('period', ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const),
  interval: integer('interval', { min: 1 }),
  item: z
    .strictObject({
      name: string('item.name', { required: true }),
      amount: amount(),
      currency: string('item.currency', { required: true }),
      description: string('item.description', { max: 2048 }),
    })
    .optional(),
  notes,
})

export const PlanListParams = z.object(ListParams)

const Addon = z.object({
  item: z.strictObject({
    name: string('addons.item.name', { required: true }),
    amount: amount(),
    currency: string('addons.item.currency', { required: true }),
    description: string('addons.item.description'),
  }),
})

export const SubscriptionCreateParams = z.strictObject({
  plan_id: string('plan_id', { required: true }),
  total_count: integer('total_count', { required: true, min: 1 }),
  quantity: integer('quantity', { min: 1 }),
  customer_notify: boolean('customer_notify'),
  customer_id: string('customer_id'),
  start_at: integer('start_at', { min: 0 }),
  expire_by: integer('expire_by', { min: 0 }),
  addons: z.array(Addon).optional(),
  notes,
  // Accepted and ignored: offers and notification targets are not modelled.
  offer_id: z.unknown().optional(),
  notify_info: z.unknown().optional(),
})

export const SubscriptionListParams = z.object({ ...ListParams, plan_id: string('plan_id') })

export const SubscriptionUpdateParams = z.strictObject({
  plan_id: string('plan_id'),
  quantity: integer('quantity', { min: 1 }),
  remaining_count: integer('remaining_count', { min: 1 }),
  start_at: integer('start_at', { min: 0 }),
  schedule_change_at: oneOf('schedule_change_at', ['now', 'cycle_end'] as const),
  customer_notify: boolean('customer_notify'),
  offer_id: z.unknown().optional(),
})

export const SubscriptionCancelParams = z.strictObject({
  cancel_at_cycle_end: boolean('cancel_at_cycle_end'),
})
export const PauseParams = z.strictObject({ pause_at: oneOf('pause_at', ['now'] as const) })
export const ResumeParams = z.strictObject({ resume_at: oneOf('resume_at', ['now'] as const) })

export const PaymentLinkCreateParams = z.strictObject({
  amount: amount(),
  currency: string('currency'),
  accept_partial: boolean('accept_partial'),
  first_min_partial_amount: integer('first_min_partial_amount', { min: 100 }),
  description: string('description', { max: 2048 }),
  reference_id: string('reference_id', { max: 40 }),
  customer: z
    .strictObject({
      name: string('customer.name'),
      email: string('customer.email'),
      contact: string('customer.contact'),
    })
    .optional(),
  notify: z.strictObject({ sms: boolean('notify.sms'), email: boolean('notify.email') }).optional(),
  reminder_enable: boolean('reminder_enable'),
  notes,
  callback_url: string('callback_url'),
  callback_method: oneOf('callback_method', ['get'] as const),
  expire_by: integer('expire_by', { min: 0 }),
  upi_link: boolean('upi_link'),
  // Accepted and ignored: checkout customisation and channels standin does not model.
  options: z.unknown().optional(),
  whatsapp_link: z.unknown().optional(),
})

export const PaymentLinkEditParams = z.strictObject({
  accept_partial: boolean('accept_partial'),
  reference_id: string('reference_id', { max: 40 }),
  expire_by: integer('expire_by', { min: 0 }),
  reminder_enable: boolean('reminder_enable'),
  notes,
})

export const PaymentLinkListParams = z.object({
  payment_id: string('payment_id'),
  reference_id: string('reference_id'),
})

const TransferFields = {
  account: string('account'),
  amount: amount(false),
  currency: string('currency'),
  notes,
  linked_account_notes: z.array(z.string()).optional(),
  on_hold: boolean('on_hold'),
  on_hold_until: integer('on_hold_until', { min: 0 }),
}

export const PaymentTransfersParams = z.strictObject({
  transfers: z.array(z.strictObject(TransferFields)).optional(),
})
export const DirectTransferParams = z.strictObject(TransferFields)
export const TransferEditParams = z.strictObject({
  on_hold: boolean('on_hold'),
  on_hold_until: integer('on_hold_until', { min: 0 }),
})
export const ReversalParams = z.strictObject({ amount: amount(false), notes })
export const TransferListParams = z.object({
  ...ListParams,
  recipient_settlement_id: string('recipient_settlement_id'),
})
