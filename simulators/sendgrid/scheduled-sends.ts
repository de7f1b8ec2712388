import type { ProviderContext } from '../core/provider.ts'
import type { SendgridState } from './models.ts'

/**
 * Cancel and pause of scheduled sends by `batch_id`, as SendGrid's
 * Scheduled Sends API describes them: a cancelled batch's messages are
 * discarded when their send time comes; a paused batch's messages wait, even
 * past their send time, until the pause is removed (then they go at once) or
 * 72 h have passed (then they are discarded as expired).
 */
export const PAUSE_EXPIRY_MS = 72 * 3_600_000

type Ctx = ProviderContext<SendgridState>

/** Runs `send` now, or holds or discards it when its batch is paused or cancelled. */
export function dispatchScheduled(ctx: Ctx, batchId: string | undefined, send: () => void): void {
  const status = batchId === undefined ? undefined : ctx.state.scheduledSends.get(batchId)
  if (status === undefined) {
    send()
    return
  }
  if (status === 'cancel') return
  const held = { batchId: batchId!, send }
  ctx.state.held.push(held)
  ctx.later(PAUSE_EXPIRY_MS, () => {
    const i = ctx.state.held.indexOf(held)
    if (i >= 0) ctx.state.held.splice(i, 1)
  })
}

/** After a batch's status changed: a removed pause releases its held messages, a cancel discards them. */
export function settleBatch(ctx: Ctx, batchId: string): void {
  const status = ctx.state.scheduledSends.get(batchId)
  if (status === 'pause') return
  const mine = ctx.state.held.filter((h) => h.batchId === batchId)
  ctx.state.held = ctx.state.held.filter((h) => h.batchId !== batchId)
  if (status === undefined) for (const h of mine) h.send()
}
