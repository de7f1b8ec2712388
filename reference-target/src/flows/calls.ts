import { z } from 'zod'
import type { Ctx } from '../context.ts'
import type { Queryable } from '../db/database.ts'
import { ApiError, badRequest, conflict, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { newId } from '../ids.ts'
import { applyCredits, balanceOf } from './credits.ts'
import type { FlowModule } from './module.ts'
import { IdParams } from './schemas.ts'

/** Credits per started minute. */
export const CALL_RATES = { audio: 5, video: 10 } as const
const MINUTE = 60_000

interface CallRow {
  id: string
  caller_id: string
  callee_id: string
  type: 'audio' | 'video'
  rate: number
  status: 'ringing' | 'active' | 'ended' | 'rejected' | 'canceled'
  requested_at: Date
  started_at: Date | null
  ended_at: Date | null
  end_reason: string | null
  billed_minutes: number
  billed_credits: number
}

const present = (c: CallRow) => ({
  id: c.id,
  callerId: c.caller_id,
  calleeId: c.callee_id,
  type: c.type,
  ratePerMinute: c.rate,
  status: c.status,
  requestedAt: c.requested_at.toISOString(),
  startedAt: c.started_at?.toISOString() ?? null,
  endedAt: c.ended_at?.toISOString() ?? null,
  endReason: c.end_reason,
  billedMinutes: c.billed_minutes,
  billedCredits: c.billed_credits,
})

/** Minutes billed for a duration: every started minute counts (the defect rounds down). */
export function billableMinutes(ctx: Ctx, elapsedMs: number): number {
  if (ctx.defects.has('call-billing-rounds-down')) return Math.floor(elapsedMs / MINUTE)
  return Math.max(1, Math.ceil(elapsedMs / MINUTE))
}

/** Ends an active call at `at` and bills it once (ledger ref call:<id>), never below a zero balance. */
async function endCall(ctx: Ctx, tx: Queryable, callId: string, reason: string, at: Date): Promise<CallRow> {
  const [c] = await tx.query<CallRow>('SELECT * FROM calls WHERE id = $1 FOR UPDATE', [callId])
  if (!c) throw notFound('Call', 'id')
  if (c.status === 'ringing') {
    await tx.query(`UPDATE calls SET status = 'canceled', ended_at = $2, end_reason = $3 WHERE id = $1`, [
      c.id,
      at,
      reason,
    ])
  } else if (c.status === 'active') {
    const minutes = billableMinutes(ctx, at.getTime() - c.started_at!.getTime())
    const balance = await balanceOf(tx, c.caller_id)
    const due = Math.min(minutes * c.rate, balance)
    if (due > 0)
      await applyCredits(tx, {
        userId: c.caller_id,
        delta: -due,
        reason: `call:${c.type}`,
        ref: `call:${c.id}`,
        at,
      })
    await tx.query(
      `UPDATE calls SET status = 'ended', ended_at = $2, end_reason = $3, billed_minutes = $4, billed_credits = $5 WHERE id = $1`,
      [c.id, at, reason, minutes, due],
    )
  }
  return (await tx.query<CallRow>('SELECT * FROM calls WHERE id = $1', [callId]))[0]!
}

async function participant(ctx: Ctx, userId: string, id: string): Promise<CallRow> {
  const [c] = await ctx.db.query<CallRow>('SELECT * FROM calls WHERE id = $1', [id])
  if (!c || (c.caller_id !== userId && c.callee_id !== userId)) throw notFound('Call', 'id')
  return c
}

export function callRoutes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/calls',
      operationId: 'startCall',
      summary: 'Call a user (audio 5, video 10 credits per started minute); needs credit for one minute.',
      tag: 'calls',
      status: 201,
      body: z.object({ calleeId: z.string().min(1).max(64), type: z.enum(['audio', 'video']) }),
      errors: {
        402: 'not enough credits for one minute',
        404: 'unknown callee',
        409: 'either party is already in a call',
      },
      handler: async ({ user, body }) => {
        if (body.calleeId === user.id)
          throw badRequest('invalid_request', 'You cannot call yourself.', 'calleeId')
        const [callee] = await ctx.db.query('SELECT id FROM users WHERE id = $1', [body.calleeId])
        if (!callee) throw notFound('User', 'calleeId')
        const rate = CALL_RATES[body.type]
        if ((await balanceOf(ctx.db, user.id)) < rate)
          throw new ApiError(
            402,
            'insufficient_credits',
            `A ${body.type} call needs at least ${rate} credits (one minute).`,
          )
        const busy = await ctx.db.query(
          `SELECT 1 FROM calls WHERE status IN ('ringing', 'active') AND (caller_id IN ($1, $2) OR callee_id IN ($1, $2))`,
          [user.id, body.calleeId],
        )
        if (busy.length) throw conflict('busy', 'One of you is already in a call.', 'calleeId')
        const id = newId('call')
        await ctx.db.query(
          `INSERT INTO calls (id, caller_id, callee_id, type, rate, status, requested_at) VALUES ($1, $2, $3, $4, $5, 'ringing', $6)`,
          [id, user.id, body.calleeId, body.type, rate, ctx.clock.now()],
        )
        return present((await participant(ctx, user.id, id))!)
      },
    }),
    route({
      method: 'POST',
      path: '/v1/calls/:id/accept',
      operationId: 'acceptCall',
      summary: 'The callee answers; billing starts now.',
      tag: 'calls',
      params: IdParams,
      errors: { 409: 'not ringing' },
      handler: async ({ user, params }) => {
        const c = await participant(ctx, user.id, params.id)
        if (c.callee_id !== user.id) throw new ApiError(403, 'forbidden', 'Only the callee can accept.', 'id')
        return ctx.db.transaction(async (tx) => {
          const now = ctx.clock.now()
          const moved = await tx.query(
            `UPDATE calls SET status = 'active', started_at = $2 WHERE id = $1 AND status = 'ringing' RETURNING id`,
            [c.id, now],
          )
          if (!moved.length) throw conflict('not_ringing', `The call is ${c.status}.`, 'id')
          // At each minute boundary the server checks the caller can pay for the next minute.
          await ctx.enqueue(
            tx,
            'call.watch',
            { callId: c.id, minute: 1 },
            { runAt: new Date(now.getTime() + MINUTE), dedupeKey: `call-watch:${c.id}:1` },
          )
          return present((await tx.query<CallRow>('SELECT * FROM calls WHERE id = $1', [c.id]))[0]!)
        })
      },
    }),
    route({
      method: 'POST',
      path: '/v1/calls/:id/reject',
      operationId: 'rejectCall',
      summary: 'The callee declines a ringing call (nothing is billed).',
      tag: 'calls',
      params: IdParams,
      errors: { 409: 'not ringing' },
      handler: async ({ user, params }) => {
        const c = await participant(ctx, user.id, params.id)
        if (c.callee_id !== user.id) throw new ApiError(403, 'forbidden', 'Only the callee can reject.', 'id')
        const rows = await ctx.db.query<CallRow>(
          `UPDATE calls SET status = 'rejected', ended_at = $2, end_reason = 'rejected' WHERE id = $1 AND status = 'ringing' RETURNING *`,
          [c.id, ctx.clock.now()],
        )
        if (!rows[0]) throw conflict('not_ringing', `The call is ${c.status}.`, 'id')
        return present(rows[0])
      },
    }),
    route({
      method: 'POST',
      path: '/v1/calls/:id/end',
      operationId: 'endCall',
      summary: 'Hang up; the caller is billed per started minute.',
      tag: 'calls',
      params: IdParams,
      errors: { 409: 'already ended' },
      handler: async ({ user, params }) => {
        const c = await participant(ctx, user.id, params.id)
        if (!['ringing', 'active'].includes(c.status))
          throw conflict('call_over', `The call is already ${c.status}.`, 'id')
        return present(await ctx.db.transaction((tx) => endCall(ctx, tx, c.id, 'hangup', ctx.clock.now())))
      },
    }),
    route({
      method: 'GET',
      path: '/v1/calls',
      operationId: 'listCalls',
      summary: 'Call history (made and received).',
      tag: 'calls',
      handler: async ({ user }) => {
        const rows = await ctx.db.query<CallRow>(
          'SELECT * FROM calls WHERE caller_id = $1 OR callee_id = $1 ORDER BY requested_at DESC LIMIT 100',
          [user.id],
        )
        return { data: rows.map(present) }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/calls/:id',
      operationId: 'getCall',
      summary: 'One call.',
      tag: 'calls',
      params: IdParams,
      handler: async ({ user, params }) => present(await participant(ctx, user.id, params.id)),
    }),
  ]
}

export function callJobs(ctx: Ctx) {
  return {
    /** At the start of minute n+1: end the call if the caller cannot pay for it, else watch the next boundary. */
    'call.watch': async (payload: Record<string, unknown>) => {
      const minute = Number(payload.minute)
      await ctx.db.transaction(async (tx) => {
        const [c] = await tx.query<CallRow>('SELECT * FROM calls WHERE id = $1 FOR UPDATE', [payload.callId])
        if (c?.status !== 'active') return
        const boundary = new Date(c.started_at!.getTime() + minute * MINUTE)
        const balance = await balanceOf(tx, c.caller_id)
        if (balance < (minute + 1) * c.rate && !ctx.defects.has('call-not-ended-on-zero-credit')) {
          await endCall(ctx, tx, c.id, 'insufficient_credits', boundary)
          return
        }
        await ctx.enqueue(
          tx,
          'call.watch',
          { callId: c.id, minute: minute + 1 },
          {
            runAt: new Date(boundary.getTime() + MINUTE),
            dedupeKey: `call-watch:${c.id}:${minute + 1}`,
          },
        )
      })
    },
  }
}

/** Paid calls billed per started minute. */
export const calls: FlowModule = { routes: callRoutes, jobs: callJobs }
