import { z } from 'zod'

/**
 * The wire shapes of Route transfers and reversals: a leaf, so the account
 * state (billing-models.ts) can hold them without importing the transfer
 * logic, which itself reads that state.
 */
const WireNotes = z.union([z.record(z.string(), z.unknown()), z.array(z.never()).length(0)])

export const Transfer = z.object({
  id: z.string(),
  entity: z.literal('transfer'),
  status: z.enum(['created', 'pending', 'processed', 'failed', 'reversed', 'partially_reversed']),
  settlement_status: z.enum(['pending', 'on_hold', 'settled']).nullable(),
  source: z.string(),
  recipient: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  amount_reversed: z.number().int(),
  fees: z.number().int(),
  tax: z.number().int(),
  notes: WireNotes,
  linked_account_notes: z.array(z.string()),
  on_hold: z.boolean(),
  on_hold_until: z.number().int().nullable(),
  recipient_settlement_id: z.null(),
  created_at: z.number().int(),
  processed_at: z.number().int().nullable(),
  error: z.object({
    code: z.null(),
    description: z.null(),
    reason: z.null(),
    field: z.null(),
    step: z.null(),
    id: z.string(),
    source: z.null(),
    metadata: z.null(),
  }),
})
export type Transfer = z.infer<typeof Transfer>

export const Reversal = z.object({
  id: z.string(),
  entity: z.literal('reversal'),
  transfer_id: z.string(),
  amount: z.number().int(),
  fee: z.number().int(),
  tax: z.number().int(),
  currency: z.string(),
  notes: WireNotes,
  initiator_id: z.string(),
  customer_refund_id: z.null(),
  utr: z.null(),
  created_at: z.number().int(),
})
export type Reversal = z.infer<typeof Reversal>
