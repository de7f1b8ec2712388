import { z } from 'zod'
import type { Collection } from '../../core/store.ts'
import { wire } from '../codec.ts'
import { invalidRequest } from '../errors.ts'
import { params } from '../params.ts'
import { matcher } from '../search.ts'
import type { StripeState } from '../state.ts'
import { route, versionOf } from './shared.ts'

/**
 * `GET /v1/<resource>/search?query=…`: Stripe's search results, newest first,
 * paged by the opaque `next_page` token the SDK sends back as `page`.
 */
const RESOURCES = {
  customers: 'customers',
  payment_intents: 'paymentIntents',
  charges: 'charges',
  invoices: 'invoices',
  subscriptions: 'subscriptions',
  prices: 'prices',
  products: 'products',
} as const satisfies Record<string, keyof StripeState>

const token = (offset: number) => Buffer.from(`standin:${offset}`).toString('base64url')

function offsetOf(page: string | undefined): number {
  if (page === undefined) return 0
  const m = /^standin:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'))
  return m ? Number(m[1]) : invalidRequest(`Invalid page: ${page}`, 'page')
}

export const search = Object.entries(RESOURCES).map(([resource, key]) =>
  route({
    operation: `${resource}.search`,
    method: 'GET',
    path: `/v1/${resource}/search`,
    input: params('GET', `/v1/${resource}/search`, {
      query: z.string(),
      limit: z.number().optional(),
      page: z.string().optional(),
      expand: z.array(z.string()).optional(),
    }),
    handler: (req, ctx, input) => {
      const limit = input.limit ?? 10
      if (limit < 1 || limit > 100)
        invalidRequest('Invalid limit: must be an integer between 1 and 100', 'limit')
      const matches = matcher(input.query)
      const collection = ctx.state[key] as Collection<{ id: string; deleted?: boolean }>
      const found = collection
        .all()
        .reverse()
        .filter((item) => !item.deleted && matches(item))
      const offset = offsetOf(input.page)
      const data = found.slice(offset, offset + limit)
      const hasMore = offset + limit < found.length
      const body = {
        object: 'search_result',
        data,
        has_more: hasMore,
        next_page: hasMore ? token(offset + limit) : null,
        url: `/v1/${resource}/search`,
      }
      return { status: 200, body: wire(body, versionOf(req), ctx.state, input.expand) }
    },
  }),
)
