import { z } from 'zod'
import { connectionReset } from './connection-reset.ts'
import type { EffectDefinition } from './effect.ts'
import { hang } from './hang.ts'
import { latency } from './latency.ts'
import { providerError } from './provider-error.ts'
import { slowBody } from './slow-body.ts'
import { status } from './status.ts'

/** Every effect type by name; a new effect is one file and one line here. */
export const effects = {
  [providerError.type]: providerError,
  [status.type]: status,
  [latency.type]: latency,
  [connectionReset.type]: connectionReset,
  [hang.type]: hang,
  [slowBody.type]: slowBody,
} as Record<string, EffectDefinition>

export const FaultEffect = z.discriminatedUnion('type', [
  providerError.schema,
  status.schema,
  latency.schema,
  connectionReset.schema,
  hang.schema,
  slowBody.schema,
])
export type FaultEffect = z.infer<typeof FaultEffect>
