import type { z } from 'zod'
import type { PlainResponse } from '../../http.ts'
import type { ErrorCatalogue } from '../../provider.ts'
import type { Random } from '../../random.ts'

/** What an effect does to a request; the runtime carries it out, the transport renders it. */
export type EffectOutcome =
  | { kind: 'respond'; response: PlainResponse }
  | { kind: 'delay'; ms: number; phase: Phase }
  | { kind: 'reset'; phase: Phase }
  | { kind: 'hang'; ms: number; phase: Phase }
  | { kind: 'slow-body'; chunkBytes: number; chunkDelayMs: number }

/**
 * 'before': the provider never sees the request. 'after': the provider does
 * the work (a charge is made) and then the answer is late or lost, which is
 * what forces an app to reconcile.
 */
export type Phase = 'before' | 'after'

export const PHASE_DESCRIPTION =
  "'before' (default): the provider never sees the request; 'after': it does the work, then the answer is late or lost"

export interface EffectContext {
  random: Random
  catalogue: ErrorCatalogue | undefined
}

/**
 * One effect type (toxiproxy registers a toxic per file the same way). `terminal`
 * effects replace the provider's answer; the others (latency, slow body) stack
 * with whatever answers.
 */
export interface EffectDefinition<Schema extends z.ZodType = z.ZodType> {
  type: string
  schema: Schema
  terminal: boolean
  apply(effect: z.output<Schema>, ctx: EffectContext): EffectOutcome
  explain(effect: z.output<Schema>): string
}

export function defineEffect<Schema extends z.ZodType>(
  definition: EffectDefinition<Schema>,
): EffectDefinition<Schema> {
  return definition
}
