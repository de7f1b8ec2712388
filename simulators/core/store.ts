/**
 * Provider state, partitioned by account, as LocalStack partitions by access
 * key: the account comes from the request's credentials, so two suites using
 * two keys see two separate worlds. A provider declares its per-account state
 * once (a factory); the core creates it on first use and walks it to reset.
 */
export class AccountStore<State> {
  private readonly accounts = new Map<string, State>()

  constructor(private readonly create: (account: string) => State) {}

  /** The account's state, created on first use. */
  get(account: string): State {
    let state = this.accounts.get(account)
    if (state === undefined) {
      state = this.create(account)
      this.accounts.set(account, state)
    }
    return state
  }

  has(account: string): boolean {
    return this.accounts.has(account)
  }

  /** Every account with state, for lookups that cross accounts (hosted pages opened by id alone). */
  entries(): IterableIterator<[string, State]> {
    return this.accounts.entries()
  }

  /** Finds the first account whose state satisfies `pick`, returning what `pick` returned. */
  find<T>(
    pick: (state: State, account: string) => T | undefined,
  ): { account: string; state: State; found: T } | undefined {
    for (const [account, state] of this.accounts) {
      const found = pick(state, account)
      if (found !== undefined) return { account, state, found }
    }
    return undefined
  }

  accountIds(): string[] {
    return [...this.accounts.keys()]
  }

  /** Drops one account's state, or every account's. */
  reset(account?: string): void {
    if (account === undefined) this.accounts.clear()
    else this.accounts.delete(account)
  }
}

/**
 * The retention bound: how many objects one collection of one account keeps
 * before the oldest go, so a long load test (a soak at 1,000 req/s for an
 * hour) holds memory flat instead of storing every object it ever created.
 * Far above what a functional suite creates; `STANDIN_STORE_LIMIT` (read at
 * start) or {@link setStoreLimit} changes it. Evicted objects are gone: a
 * retrieve answers the provider's 404, as for an object never created.
 */
export const DEFAULT_STORE_LIMIT = 10_000

let storeLimit = parseStoreLimit(process.env.STANDIN_STORE_LIMIT) ?? DEFAULT_STORE_LIMIT

export function setStoreLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`store limit must be a positive integer, got ${limit}`)
  storeLimit = limit
}

export function getStoreLimit(): number {
  return storeLimit
}

function parseStoreLimit(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const limit = Number(value)
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`STANDIN_STORE_LIMIT must be a positive integer, got '${value}'`)
  return limit
}

/**
 * A Map bounded by the store limit (or its own): past it, the entry set
 * longest ago goes. For provider state kept by key rather than in a
 * {@link Collection} (payments by key, order ids to payments).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  /**
   * Kept between evictions. A fresh `keys()` starts at the table's first slot and steps over every
   * slot deleted since the last rehash (thousands, once the map is full): 6 µs per insert at 10,000
   * entries. V8's iterators are live (they follow rehashes and skip deleted entries, and new entries
   * land after them), so a kept one resumes at the oldest live key.
   */
  private oldest: IterableIterator<K> | undefined

  constructor(private readonly limit?: number) {
    super()
  }

  override set(key: K, value: V): this {
    // Set first, then trim: a new key grows the map past the limit and the oldest goes (one lookup
    // fewer than asking `has` first); a key already there does not grow it.
    super.set(key, value)
    if (this.size > (this.limit ?? storeLimit)) this.evictOldest()
    return this
  }

  private evictOldest(): void {
    this.oldest ??= this.keys()
    let next = this.oldest.next()
    if (next.done) {
      // Exhausted (the map was cleared, or emptied, since): start again from the front.
      this.oldest = this.keys()
      next = this.oldest.next()
    }
    if (!next.done) this.delete(next.value)
  }
}

export interface CursorPage<T> {
  items: T[]
  hasMore: boolean
}

/**
 * A typed collection of objects with ids, kept in creation order: the shape
 * every provider's list endpoints page over. Bounded: past its limit the
 * oldest object goes (see {@link DEFAULT_STORE_LIMIT}).
 */
export class Collection<T extends { id: string }> {
  private readonly byId: BoundedMap<string, T>

  /** `limit`: objects kept before the oldest go (default: the store limit, {@link DEFAULT_STORE_LIMIT}). */
  constructor(limit?: number) {
    this.byId = new BoundedMap(limit)
  }

  get size(): number {
    return this.byId.size
  }

  insert(item: T): T {
    this.byId.set(item.id, item)
    return item
  }

  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Replaces the stored object by id (objects may also be mutated in place). */
  update(id: string, patch: Partial<T>): T | undefined {
    const item = this.byId.get(id)
    if (!item) return undefined
    Object.assign(item, patch)
    return item
  }

  delete(id: string): boolean {
    return this.byId.delete(id)
  }

  /** Oldest first. */
  all(): T[] {
    return [...this.byId.values()]
  }

  filter(predicate: (item: T) => boolean): T[] {
    const out: T[] = []
    for (const item of this.byId.values()) if (predicate(item)) out.push(item)
    return out
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (const item of this.byId.values()) if (predicate(item)) return item
    return undefined
  }

  /**
   * Cursor paging: newest first by default, `startingAfter`
   * and `endingBefore` name an id in the list, `hasMore` says whether the
   * page was cut.
   */
  page(options: {
    limit: number
    startingAfter?: string | undefined
    endingBefore?: string | undefined
    order?: 'asc' | 'desc'
    where?: (item: T) => boolean
  }): CursorPage<T> {
    let items = options.where ? this.filter(options.where) : this.all()
    if ((options.order ?? 'desc') === 'desc') items = items.reverse()
    if (options.startingAfter !== undefined) {
      const i = items.findIndex((item) => item.id === options.startingAfter)
      items = i < 0 ? [] : items.slice(i + 1)
      return { items: items.slice(0, options.limit), hasMore: items.length > options.limit }
    }
    if (options.endingBefore !== undefined) {
      const i = items.findIndex((item) => item.id === options.endingBefore)
      items = i < 0 ? [] : items.slice(0, i)
      const start = Math.max(0, items.length - options.limit)
      return { items: items.slice(start), hasMore: start > 0 }
    }
    return { items: items.slice(0, options.limit), hasMore: items.length > options.limit }
  }

  /** Offset paging (`skip`/`count`, `Page`/`PageSize` styles). */
  slice(options: { offset: number; limit: number; order?: 'asc' | 'desc'; where?: (item: T) => boolean }): {
    items: T[]
    total: number
  } {
    let items = options.where ? this.filter(options.where) : this.all()
    if ((options.order ?? 'desc') === 'desc') items = items.reverse()
    return { items: items.slice(options.offset, options.offset + options.limit), total: items.length }
  }

  clear(): void {
    this.byId.clear()
  }
}
