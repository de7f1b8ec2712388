import type { z } from 'zod'
import type { WebhookAttempt } from '../types.ts'

/** How a delivery starts, decided once when its event is emitted: each firing rule adds to it. */
export interface DeliveryStart {
  /** Virtual ms before the first attempt. */
  delayMs: number
  /** Virtual ms to hold the delivery for a later one to the same endpoint to overtake it; undefined: no hold. */
  holdMs: number | undefined
  /** Extra copies, each sent once the delivery has ended (a provider resending what it already sent). */
  copies: number
}

/** One attempt about to go out; rules change what is signed, or lose it. */
export interface OutgoingAttempt {
  /** 1 for the first attempt of the delivery. */
  readonly n: number
  readonly trigger: WebhookAttempt['trigger']
  /** Virtual epoch ms the attempt goes out at. */
  readonly at: number
  /** Virtual epoch ms the signature is made at. */
  timestamp: number
  /** Sign other bytes than those sent, so no signature scheme verifies. */
  signOtherBytes: boolean
  /** Lost in transit: never sent, recorded as `dropped`, counts as failed. */
  drop: boolean
  /** What rules changed, recorded on the attempt. */
  tampering: string[]
}

/**
 * One webhook rule effect (a file per effect, as fault effects are). An effect
 * acts at two moments: when a delivery starts (`start`: delay, hold, copies)
 * and on each attempt (`attempt`: what is signed, whether it is lost).
 */
export interface WebhookEffectDefinition<Schema extends z.ZodType = z.ZodType> {
  type: string
  schema: Schema
  /** Whether the copies a duplicate rule sends carry this effect too (a bad signature does; a lost attempt does not). */
  onCopies: boolean
  start?(effect: z.output<Schema>, start: DeliveryStart): void
  attempt?(effect: z.output<Schema>, attempt: OutgoingAttempt): void
  /** What the effect does, in words ("drop the first 2 attempts"). */
  explain(effect: z.output<Schema>): string
}

export function defineWebhookEffect<Schema extends z.ZodType>(
  definition: WebhookEffectDefinition<Schema>,
): WebhookEffectDefinition<Schema> {
  return definition
}

/** "the first 2 attempts" / "every attempt". */
export function attemptsPhrase(attempts: number | undefined): string {
  if (attempts === undefined) return 'every attempt'
  return attempts === 1 ? 'the first attempt' : `the first ${attempts} attempts`
}
