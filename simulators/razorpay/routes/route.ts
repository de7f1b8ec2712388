import { type ProviderContext, routesFor } from '../../core/provider.ts'
import type { RazorpayState } from '../models.ts'

export const route = routesFor<RazorpayState>()
export type Ctx = ProviderContext<RazorpayState>

/**
 * An API route. The key pair is checked by the provider's `authenticate`
 * before any parameter is read; `input` is parsed by the core, and a failure
 * is Razorpay's own 400 (`responses.invalidInput`, see codec.ts).
 */
export const apiRoute = route

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
