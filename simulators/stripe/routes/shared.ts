import type { z } from 'zod'
import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import { routesFor } from '../../core/provider.ts'
import type { Collection } from '../../core/store.ts'
import { renderShared, requestVersion, wire } from '../codec.ts'
import { fail, resourceMissing } from '../errors.ts'
import { mergeMetadata } from '../metadata.ts'
import { expandShape, params } from '../params.ts'
import type { StripeContext, StripeState } from '../state.ts'
import type { EventSource } from '../webhooks.ts'

export { mergeMetadata }

export const route = routesFor<StripeState>()

/** Unix seconds for a customer: its test clock's frozen time when it has one, else the virtual clock. */
export function timeFor(ctx: StripeContext, customerId: string | null | undefined): number {
  const customer = customerId ? ctx.state.customers.get(customerId) : undefined
  const clock = customer?.test_clock ? ctx.state.testClocks.get(customer.test_clock) : undefined
  return clock ? clock.frozen_time : ctx.clock.unix()
}

/** Where events of this request come from: its request id and idempotency key, at `at`. */
export function source(req: PlainRequest, ctx: StripeContext, at = ctx.clock.unix()): EventSource {
  return { ctx, at, request: { id: ctx.requestId, idempotency_key: req.headers['idempotency-key'] ?? null } }
}

export const versionOf = (req: PlainRequest) => requestVersion(req.headers['stripe-version'])

export function respond(
  req: PlainRequest,
  ctx: StripeContext,
  obj: object,
  expand?: string[],
): PlainResponse {
  const version = versionOf(req)
  // Nothing to expand: the answer shares with the stored object what the version leaves as it is.
  const body = expand?.length ? wire(obj, version, ctx.state, expand) : renderShared(obj, version)
  return { status: 200, body }
}

export function find<T extends { id: string }>(
  collection: Collection<T>,
  id: string,
  noun: string,
  param: string,
): T {
  return collection.get(id) ?? resourceMissing(noun, id, param)
}

export interface ListInput {
  limit?: number | undefined
  starting_after?: string | undefined
  ending_before?: string | undefined
  expand?: string[] | undefined
}

/** Stripe's list envelope with cursor paging, newest first; `expand[]=data.x` expands inside items. */
export function list<T extends { id: string }>(
  req: PlainRequest,
  ctx: StripeContext,
  collection: Collection<T>,
  input: ListInput,
  url: string,
  where?: (item: T) => boolean,
): PlainResponse {
  const limit = input.limit ?? 10
  if (limit < 1 || limit > 100)
    fail(400, {
      type: 'invalid_request_error',
      message: 'Invalid limit: must be an integer between 1 and 100',
      param: 'limit',
    })
  if (input.starting_after && input.ending_before)
    fail(400, {
      type: 'invalid_request_error',
      message: 'You may only specify one of these parameters: ending_before, starting_after.',
      param: 'ending_before',
    })
  for (const [param, id] of [
    ['starting_after', input.starting_after],
    ['ending_before', input.ending_before],
  ] as const) {
    if (id !== undefined && !collection.has(id)) resourceMissing('object', id, param)
  }
  // `created` (a timestamp or a gt/gte/lt/lte range) filters every list that has it in the spec.
  const created = (input as { created?: unknown }).created
  const page = collection.page({
    limit,
    startingAfter: input.starting_after,
    endingBefore: input.ending_before,
    where: (item) =>
      createdMatches((item as { created?: number }).created, created) && (where ? where(item) : true),
  })
  const version = versionOf(req)
  const body = wire(
    { object: 'list', data: page.items, has_more: page.hasMore, url },
    version,
    ctx.state,
    input.expand,
  )
  return { status: 200, body }
}

/** Stripe's equality filters on lists: each named parameter, when given, must equal the item's field of that name. */
export function matchesGiven<T extends object>(
  input: object,
  item: T,
  fields: readonly (keyof T & string)[],
): boolean {
  for (const field of fields) {
    const wanted = (input as Record<string, unknown>)[field]
    if (wanted !== undefined && item[field] !== wanted) return false
  }
  return true
}

function createdMatches(at: number | undefined, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true
  if (at === undefined) return false
  if (typeof filter === 'number') return at === filter
  const r = filter as { gt?: number; gte?: number; lt?: number; lte?: number }
  return (
    (r.gt === undefined || at > r.gt) &&
    (r.gte === undefined || at >= r.gte) &&
    (r.lt === undefined || at < r.lt) &&
    (r.lte === undefined || at <= r.lte)
  )
}

/** Stripe's metadata update: keys merge, an empty value deletes a key, `metadata=''` clears all. */
/** Fields that changed, with their old values: an event's `previous_attributes`. */
export function previousOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(after)) {
    if (key.startsWith('_')) continue
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = before[key] ?? null
  }
  return out
}

/** `''` unsets a field in Stripe's form encoding. */
export const orNull = <T>(value: T | '' | undefined, fallback: T | null): T | null =>
  value === undefined ? fallback : value === '' ? null : value

/**
 * `POST <base>/:<param>/<action>`: finds the object, applies one named
 * transition at its customer's time and answers with it. `accepts` lists the
 * request fields the transition takes beyond `expand` (checked, not used).
 * @example
 * transitionRoute({ operation: 'credit_notes.void_credit_note', base: '/v1/credit_notes', param: 'id',
 *   action: 'void', noun: 'credit note', collection: (ctx) => ctx.state.creditNotes, move: voidCreditNote })
 */
export function transitionRoute<T extends { id: string; customer: string | null }>(options: {
  operation: string
  base: string
  param: string
  action: string
  noun: string
  collection: (ctx: StripeContext) => Collection<T>
  move: (src: EventSource, obj: T) => void
  accepts?: z.ZodRawShape
}) {
  const { base, param, action } = options
  return route({
    operation: options.operation,
    method: 'POST',
    path: `${base}/:${param}/${action}`,
    input: params('POST', `${base}/{${param}}/${action}`, { ...expandShape, ...options.accepts }),
    handler: (req, ctx, input) => {
      const obj = find(options.collection(ctx), req.params[param]!, options.noun, param)
      options.move(source(req, ctx, timeFor(ctx, obj.customer)), obj)
      return respond(req, ctx, obj, input.expand as string[] | undefined)
    },
  })
}
