import type { Clock } from '../clock.ts'
import type { Queryable } from '../db/database.ts'

export interface JobRow {
  id: number
  type: string
  payload: Record<string, unknown>
  status: 'queued' | 'running' | 'done' | 'failed'
  attempts: number
  max_attempts: number
  run_at: Date
  last_error: string | null
  dedupe_key: string | null
}

export interface EnqueueOptions {
  /** When the job becomes due (default: now). */
  runAt?: Date
  maxAttempts?: number
  /** At most one job with this key ever exists (a timer for one call minute, one renewal period). */
  dedupeKey?: string
}

/**
 * Adds a job in the caller's transaction, so the job exists if and only if
 * the state change that needs it was committed (the outbox pattern).
 */
export async function enqueue(
  db: Queryable,
  clock: Clock,
  type: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<number | undefined> {
  const now = clock.now()
  const rows = await db.query<{ id: number }>(
    `INSERT INTO jobs (type, payload, status, max_attempts, run_at, dedupe_key, created_at)
     VALUES ($1, $2, 'queued', $3, $4, $5, $6)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [
      type,
      JSON.stringify(payload),
      options.maxAttempts ?? 8,
      options.runAt ?? now,
      options.dedupeKey ?? null,
      now,
    ],
  )
  return rows[0]?.id
}

/** How long a claimed job is leased; a worker that dies mid-job loses the lease and another picks it up. */
export const LEASE_MS = 60_000

/**
 * Claims up to `limit` due jobs. FOR UPDATE SKIP LOCKED lets several
 * instances share one PostgreSQL without taking the same job.
 */
export async function claim(db: Queryable, clock: Clock, limit: number): Promise<JobRow[]> {
  const now = clock.now()
  return db.query<JobRow>(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2
     WHERE id IN (
       SELECT id FROM jobs
       WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)
       ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, new Date(now.getTime() + LEASE_MS), limit],
  )
}

export async function complete(db: Queryable, clock: Clock, id: number): Promise<void> {
  await db.query(`UPDATE jobs SET status = 'done', finished_at = $2, locked_until = NULL WHERE id = $1`, [
    id,
    clock.now(),
  ])
}

/** Backs off exponentially (1s, 2s, 4s ... capped at 10 min) until max_attempts, then parks the job as failed. */
export async function fail(db: Queryable, clock: Clock, job: JobRow, error: string): Promise<void> {
  const final = job.attempts >= job.max_attempts
  const delay = Math.min(1000 * 2 ** (job.attempts - 1), 600_000)
  await db.query(
    `UPDATE jobs SET status = $2, last_error = $3, run_at = $4, locked_until = NULL, finished_at = $5 WHERE id = $1`,
    [
      job.id,
      final ? 'failed' : 'queued',
      error.slice(0, 2000),
      new Date(clock.nowMs() + delay),
      final ? clock.now() : null,
    ],
  )
}

/** Puts a job back without counting an attempt (the handler asked to be called later). */
export async function reschedule(db: Queryable, job: JobRow, runAt: Date): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = $2, locked_until = NULL WHERE id = $1`,
    [job.id, runAt],
  )
}
