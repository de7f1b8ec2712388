import { z } from 'zod'
import { defineEffect } from './effect.ts'

/** Answers with a named entry of the provider's error catalogue: the very body the route itself would produce. */
export const providerError = defineEffect({
  type: 'provider-error',
  schema: z.object({
    type: z.literal('provider-error'),
    error: z
      .string()
      .min(1)
      .describe("a name from the provider's error catalogue, e.g. 'insufficient_funds', '21211'"),
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('overrides the entry understands (message, param, ...)'),
  }),
  terminal: true,
  validate: (effect, { match, catalogue }) => {
    if (!match.provider) return { field: 'match.provider', message: 'a provider-error needs match.provider' }
    const known = catalogue(match.provider)
    if (known && !known[effect.error])
      return {
        field: 'effect.error',
        message: `'${effect.error}' is not in ${match.provider}'s error catalogue. Known: ${Object.keys(known).join(', ')}`,
      }
    return undefined
  },
  apply: (effect, ctx) => {
    const entry = ctx.catalogue?.[effect.error]
    // Rules are validated against the catalogue on creation; this guards a catalogue changed since.
    if (!entry)
      return {
        kind: 'respond',
        response: { status: 500, body: { error: `unknown provider error ${effect.error}` } },
      }
    return { kind: 'respond', response: entry.respond(effect.params ?? {}) }
  },
  explain: (effect) => `respond ${effect.error}`,
})
