import { z } from 'zod'
import { badSignature } from './bad-signature.ts'
import { delay } from './delay.ts'
import { drop } from './drop.ts'
import { duplicate } from './duplicate.ts'
import type { WebhookEffectDefinition } from './effect.ts'
import { reorder } from './reorder.ts'
import { staleTimestamp } from './stale-timestamp.ts'

/**
 * Every webhook rule effect; a new effect is its file and one line here. The
 * order is the order effects act on an attempt, so its `tampering` list reads
 * the same whatever order the rules were added in.
 */
const definitions = [duplicate, delay, reorder, staleTimestamp, badSignature, drop] as const

export const webhookEffects: ReadonlyMap<string, WebhookEffectDefinition> = new Map(
  definitions.map((d) => [d.type, d as unknown as WebhookEffectDefinition]),
)

/** Where an effect type stands in {@link definitions}: the order effects act in. */
export const effectOrder = new Map<string, number>(definitions.map((d, i) => [d.type, i]))

/** The schemas of a tuple of definitions, as a tuple (a mapped type over a type parameter keeps tuples). */
type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never
}

/** What a webhook rule does to the deliveries of the events it matches: the union of the registry's schemas. */
export const WebhookEffect = z.discriminatedUnion(
  'type',
  definitions.map((d) => d.schema) as unknown as SchemasOf<typeof definitions>,
)
export type WebhookEffect = z.infer<typeof WebhookEffect>

export type { DeliveryStart, OutgoingAttempt, WebhookEffectDefinition } from './effect.ts'
