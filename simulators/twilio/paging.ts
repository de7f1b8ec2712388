import type { Collection } from '../core/store.ts'

/**
 * Twilio's two list shapes over a collection, newest first (as Twilio lists).
 *
 * 2010-04-01: `{ <key>: [...], end, first_page_uri, next_page_uri, page,
 * page_size, previous_page_uri, start, uri }` with relative URIs that the SDK
 * resolves against its api domain. Verify v2: `{ <key>: [...], meta: { page,
 * page_size, first_page_url, previous_page_url, url, next_page_url, key } }`
 * with absolute URLs.
 *
 * @note Twilio's `PageToken` is opaque (`PASM…`); the simulator's token is the
 * sid of the page's last item and the `Page` number drives the offset, so a
 * client that follows `next_page_uri` walks the list exactly once.
 */

interface PageInput {
  pageSize: number | undefined
  page: number | undefined
}

function pageQuery(
  filters: Record<string, string | undefined>,
  size: number,
  page: number,
  token?: string,
): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(filters)) if (v !== undefined) q.set(k, v)
  q.set('PageSize', String(size))
  q.set('Page', String(page))
  if (token) q.set('PageToken', token)
  return q.toString()
}

export function apiPage<T extends { id: string }, W>(
  collection: Collection<T>,
  options: PageInput & {
    key: string
    path: string
    filters: Record<string, string | undefined>
    where?: (item: T) => boolean
    wire: (item: T) => W
  },
) {
  const size = options.pageSize ?? 50
  const page = options.page ?? 0
  const { items, total } = collection.slice({
    offset: page * size,
    limit: size,
    ...(options.where ? { where: options.where } : {}),
  })
  const start = page * size
  const hasNext = start + items.length < total
  const uri = (p: number, token?: string) => `${options.path}?${pageQuery(options.filters, size, p, token)}`
  return {
    [options.key]: items.map(options.wire),
    end: Math.max(start, start + items.length - 1),
    first_page_uri: uri(0),
    next_page_uri: hasNext ? uri(page + 1, `PA${items[items.length - 1]!.id}`) : null,
    page,
    page_size: size,
    previous_page_uri: page > 0 ? uri(page - 1, `PB${items[0]?.id ?? ''}`) : null,
    start,
    uri: uri(page),
  }
}

export function verifyPage<T extends { id: string }, W>(
  collection: Collection<T>,
  options: PageInput & { key: string; url: string; wire: (item: T) => W; where?: (item: T) => boolean },
) {
  const size = options.pageSize ?? 50
  const page = options.page ?? 0
  const { items, total } = collection.slice({
    offset: page * size,
    limit: size,
    ...(options.where ? { where: options.where } : {}),
  })
  const hasNext = page * size + items.length < total
  const url = (p: number, token?: string) => `${options.url}?${pageQuery({}, size, p, token)}`
  return {
    [options.key]: items.map(options.wire),
    meta: {
      page,
      page_size: size,
      first_page_url: url(0),
      previous_page_url: page > 0 ? url(page - 1, `PB${items[0]?.id ?? ''}`) : null,
      url: url(page),
      next_page_url: hasNext ? url(page + 1, `PA${items[items.length - 1]!.id}`) : null,
      key: options.key,
    },
  }
}
