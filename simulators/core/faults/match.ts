import { z } from 'zod'

/*
 * What a fault rule matches, on its own: effects read it (to explain where
 * they act) and the rule schema is built from the effects, so it is a leaf.
 */

/** A field condition: a plain value means "equals" (compared as strings, since forms carry strings). */
export const FieldMatcher = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z
    .object({
      equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
      contains: z.string().optional(),
      regex: z.string().optional(),
      exists: z.boolean().optional(),
      oneOf: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .strict(),
])
export type FieldMatcher = z.infer<typeof FieldMatcher>

const fields = z
  .record(z.string().min(1), FieldMatcher)
  .optional()
  .describe(
    'dotted field path → condition, e.g. { "metadata.order_id": "o_81", "To": { "regex": "^\\\\+8210" } }',
  )

export const FaultMatch = z
  .object({
    provider: z.string().min(1).optional(),
    operation: z
      .string()
      .min(1)
      .optional()
      .describe("the provider's operation name, e.g. 'payment_intents.create'"),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    path: z.string().startsWith('/').optional().describe('exact path, or a pattern with :param and *'),
    account: z.string().optional(),
    body: fields,
    query: fields,
    headers: fields,
  })
  .strict()
export type FaultMatch = z.infer<typeof FaultMatch>
