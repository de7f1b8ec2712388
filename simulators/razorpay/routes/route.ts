import type { z } from 'zod'
import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import { type HttpMethod, type ProviderContext, routesFor } from '../../core/provider.ts'
import { verifySecret } from '../auth.ts'
import { parse } from '../codec.ts'
import type { RazorpayState } from '../models.ts'

export const route = routesFor<RazorpayState>()
export type Ctx = ProviderContext<RazorpayState>

/**
 * An authenticated API route. Razorpay checks the key pair before it reads
 * any parameter, so the secret check and then the parameters (with
 * Razorpay's own messages, see codec.ts) run here rather than in the core's
 * generic validation step.
 */
export function apiRoute<S extends z.ZodType>(definition: {
  operation: string
  method: HttpMethod
  path: string
  input?: S
  idempotent?: boolean
  handler: (req: PlainRequest, ctx: Ctx, input: z.output<S>) => PlainResponse
}) {
  return route({
    operation: definition.operation,
    method: definition.method,
    path: definition.path,
    ...(definition.idempotent !== undefined ? { idempotent: definition.idempotent } : {}),
    handler: (req, ctx) => {
      verifySecret(req, ctx)
      const source = definition.method === 'GET' || definition.method === 'DELETE' ? req.query : req.body
      const input = (definition.input ? parse(definition.input, source) : undefined) as z.output<S>
      return definition.handler(req, ctx, input)
    },
  })
}

/** `{ entity: 'collection', count, items }` with Razorpay's `count`/`skip`/`from`/`to` paging, newest first. */
export function collection<T extends { created_at: number }>(
  items: T[],
  query: {
    count?: number | undefined
    skip?: number | undefined
    from?: number | undefined
    to?: number | undefined
  },
) {
  const filtered = items
    .filter(
      (i) =>
        (query.from === undefined || i.created_at >= query.from) &&
        (query.to === undefined || i.created_at <= query.to),
    )
    .reverse()
  const skip = query.skip ?? 0
  const page = filtered.slice(skip, skip + (query.count ?? 10))
  return { entity: 'collection', count: page.length, items: page }
}
