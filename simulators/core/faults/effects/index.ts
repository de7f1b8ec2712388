import { z } from 'zod'
import type { EffectDefinition } from './effect.ts'
import * as registry from './registry.ts'

type Registry = typeof registry

/** Every effect type by name, from registry.ts. */
export const effects: Record<string, EffectDefinition> = Object.fromEntries(
  Object.values(registry).map((effect) => [effect.type, effect as EffectDefinition]),
)

/** One registered effect's rule object: `{ type, ...params }`. */
export type FaultEffect = { [K in keyof Registry]: z.output<Registry[K]['schema']> }[keyof Registry]
type FaultEffectInput = { [K in keyof Registry]: z.input<Registry[K]['schema']> }[keyof Registry]

/** The rule's `effect` field: a union built from the registry, told apart by `type`. */
export const FaultEffect = z.discriminatedUnion(
  'type',
  Object.values(registry).map((effect) => effect.schema) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<string> }>,
  ],
) as unknown as z.ZodType<FaultEffect, FaultEffectInput>
