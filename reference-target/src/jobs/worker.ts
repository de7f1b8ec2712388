import type { Clock } from '../clock.ts'
import type { Database } from '../db/database.ts'
import { claim, complete, fail, type JobRow, reschedule } from './queue.ts'

/** A handler may ask to run again later without it counting as a failure. */
export class RetryLater extends Error {
  constructor(readonly runAt: Date) {
    super('retry later')
  }
}

export type JobHandler = (payload: Record<string, unknown>, job: JobRow) => Promise<void>

interface Logger {
  error(obj: unknown, msg?: string): void
}

/**
 * Polls the job table and runs due jobs. Handlers must be idempotent: a job
 * whose worker died is claimed again once its lease runs out.
 */
export class JobWorker {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true
  private again = false

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: { pollMs: number; batch?: number; log: Logger },
  ) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule(0)
  }

  /** Stops polling and waits for jobs in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }

  /** Runs a poll soon (after an enqueue), instead of waiting for the next tick. */
  kick(): void {
    if (this.stopped) return
    if (this.running) this.again = true
    else this.schedule(0)
  }

  /** Runs every due job until none is left; for tests and the CLI. */
  async drain(maxRounds = 50): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.running = this.loop().finally(() => {
        this.running = undefined
        const soon = this.again
        this.again = false
        this.schedule(soon ? 0 : this.options.pollMs)
      })
    }, ms)
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.runOnce()) > 0) {}
    } catch (error) {
      this.options.log.error({ err: error }, 'job poll failed')
    }
  }

  async runOnce(): Promise<number> {
    const jobs = await claim(this.db, this.clock, this.options.batch ?? 10)
    await Promise.all(jobs.map((job) => this.run(job)))
    return jobs.length
  }

  private async run(job: JobRow): Promise<void> {
    const handler = this.handlers[job.type]
    try {
      if (!handler) throw new Error(`no handler for job type '${job.type}'`)
      await handler(job.payload, job)
      await complete(this.db, this.clock, job.id)
    } catch (error) {
      if (error instanceof RetryLater) return reschedule(this.db, job, error.runAt)
      this.options.log.error({ err: error, job: job.type, id: job.id }, 'job failed')
      await fail(this.db, this.clock, job, error instanceof Error ? error.message : String(error))
    }
  }
}
