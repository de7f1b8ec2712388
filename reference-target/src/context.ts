import type { Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { Database, Queryable } from './db/database.ts'
import type { Defects } from './defects.ts'
import type { PaymentRow } from './flows/payment-row.ts'
import type { Gateways } from './gateways/types.ts'
import type { EnqueueOptions } from './jobs/queue.ts'
import type { Providers } from './providers/index.ts'

export interface Logger {
  info(obj: unknown, msg?: string): void
  warn(obj: unknown, msg?: string): void
  error(obj: unknown, msg?: string): void
}

/**
 * What a paid payment delivers, by its purpose (credits, a gift card, …):
 * runs in fulfil()'s transaction, once per payment.
 */
export type Fulfilment = (tx: Queryable, payment: PaymentRow, at: Date) => Promise<void>

/** What every flow gets: built once per app instance in app.ts. */
export interface Ctx {
  config: Config
  db: Database
  clock: Clock
  defects: Defects
  /** The provider clients (SDK calls through the shared retry policy). */
  providers: Providers
  /** What flows call instead of naming a provider (gateways/registry.ts). */
  gateways: Gateways
  /** Fulfilment by payment purpose, contributed by the flow modules (modules.ts). */
  purposes: Readonly<Record<string, Fulfilment>>
  log: Logger
  /** Base URL of this app as browsers and providers reach it. */
  publicUrl(): string
  /** Enqueues a job in `tx` (the caller's transaction) and wakes the worker after commit. */
  enqueue(
    tx: Queryable,
    type: string,
    payload: Record<string, unknown>,
    options?: EnqueueOptions,
  ): Promise<void>
}
