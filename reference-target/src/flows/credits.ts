import type { Queryable } from '../db/database.ts'
import { ApiError } from '../errors.ts'

/**
 * Applies one credit change: an append-only ledger row plus the cached
 * balance, in the caller's transaction. A `ref` (e.g. `payment:pay_1`) makes
 * the change happen at most once, which is what makes fulfilment exactly-once
 * under duplicate webhooks, retries and restarts.
 *
 * @returns the new balance, or undefined when `ref` was already applied.
 */
export async function applyCredits(
  tx: Queryable,
  input: {
    userId: string
    delta: number
    reason: string
    ref: string | null
    at: Date
    allowNegative?: boolean
  },
): Promise<number | undefined> {
  if (input.ref) {
    const seen = await tx.query('SELECT 1 FROM credit_ledger WHERE ref = $1', [input.ref])
    if (seen.length) return undefined
  }
  // The guarded UPDATE is atomic: two concurrent debits cannot both pass the check.
  const rows = await tx.query<{ credits: number }>(
    input.delta < 0 && !input.allowNegative
      ? 'UPDATE users SET credits = credits + $2 WHERE id = $1 AND credits + $2 >= 0 RETURNING credits'
      : 'UPDATE users SET credits = credits + $2 WHERE id = $1 RETURNING credits',
    [input.userId, input.delta],
  )
  if (!rows.length) throw new ApiError(402, 'insufficient_credits', 'Not enough credits.')
  const balance = rows[0]!.credits
  const inserted = await tx.query(
    `INSERT INTO credit_ledger (user_id, delta, balance_after, reason, ref, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ref) DO NOTHING RETURNING id`,
    [input.userId, input.delta, balance, input.reason, input.ref, input.at],
  )
  // A concurrent transaction applied the same ref first: undo by failing this one.
  if (!inserted.length) throw new Error(`credit ref ${input.ref} applied concurrently`)
  return balance
}

export async function balanceOf(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ credits: number }>('SELECT credits FROM users WHERE id = $1', [userId])
  return rows[0]?.credits ?? 0
}
