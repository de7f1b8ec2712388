import { spreadByKind } from '../core/spread-by-kind.ts'
import { fail } from './errors.ts'
import { lookupById, type StripeState } from './state.ts'

/** The kind of a Stripe API object (its `object` field: `payment_intent`, `list`), or undefined for a plain value. */
export function kindOf(value: Record<string, unknown>): string | undefined {
  return typeof value.object === 'string' ? value.object : undefined
}

/**
 * API versions and the wire shape of each. Objects are stored once, with the
 * fields of both shapes; `render` drops what the request's version lacks
 * (stripe.md §0: basil, 2025-03-31, moved subscription periods onto items and
 * invoice payments into `payments`/`parent`), then `expand` swaps ids for objects.
 */
export const PINNED_VERSION = '2026-10-28.endive'
export const LEGACY_VERSION = '2023-08-16'
/** The first version with the basil shapes. */
const BASIL = '2025-03-31'

export function isLegacy(version: string): boolean {
  return version < BASIL
}

/** The version a request asks for (Stripe-Version header), or the pinned one; malformed → Stripe's 400. */
export function requestVersion(header: string | undefined): string {
  if (header === undefined || header === '') return PINNED_VERSION
  const version = header.trim()
  if (!/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version) || version < '2011-01-01')
    return fail(400, {
      type: 'invalid_request_error',
      message: `Invalid Stripe API version: ${version}`,
    })
  return version
}

/** Fields each shape lacks, by `object`. */
const ONLY_CURRENT: Record<string, string[]> = {
  invoice: ['parent', 'payments', 'confirmation_secret', 'total_taxes', 'amount_overpaid'],
  line_item: ['pricing', 'parent', 'taxes'],
  'checkout.session': ['collected_information'],
  payment_intent: ['payment_method_configuration_details'],
  subscription: ['discounts'],
  subscription_item: ['current_period_start', 'current_period_end'],
  invoiceitem: ['parent', 'pricing', 'proration_details'],
  discount: ['subscription_item'],
  tax_rate: ['jurisdiction_level'],
  credit_note: [
    'refunds',
    'total_taxes',
    'pre_payment_amount',
    'post_payment_amount',
    'pretax_credit_amounts',
  ],
  credit_note_line_item: ['taxes', 'pretax_credit_amounts'],
}
const ONLY_LEGACY: Record<string, string[]> = {
  subscription: ['current_period_start', 'current_period_end', 'discount'],
  invoice: [
    'payment_intent',
    'charge',
    'paid',
    'paid_out_of_band',
    'subscription',
    'subscription_details',
    'quote',
    'tax',
    'total_tax_amounts',
    'application_fee_amount',
    'transfer_data',
    'discount',
  ],
  line_item: [
    'price',
    'plan',
    'subscription_item',
    'proration',
    'proration_details',
    'invoice_item',
    'type',
    'tax_amounts',
    'tax_rates',
    'discount',
  ],
  charge: ['invoice'],
  payment_intent: ['invoice'],
  invoiceitem: ['price', 'plan', 'subscription', 'subscription_item', 'unit_amount', 'unit_amount_decimal'],
  credit_note: ['refund', 'tax_amounts'],
  credit_note_line_item: ['tax_amounts', 'tax_rates'],
  'checkout.session': ['shipping_details'],
}

/**
 * 2025-09-30.clover: a Discount names its coupon in `source.coupon` (an id)
 * instead of an embedded `coupon`; a PromotionCode in `promotion.coupon`.
 */
const CLOVER = '2025-09-30'
const FROM_CLOVER: Record<string, string[]> = { discount: ['source'], promotion_code: ['promotion'] }
const BEFORE_CLOVER: Record<string, string[]> = { discount: ['coupon'], promotion_code: ['coupon'] }

/** Keys a shape drops, by `object`: one table per version class (legacy or not × before clover or not). */
type DropTable = Map<string, ReadonlySet<string>>

function dropTable(legacy: boolean, beforeClover: boolean): DropTable {
  const table: DropTable = new Map()
  for (const source of [legacy ? ONLY_CURRENT : ONLY_LEGACY, beforeClover ? FROM_CLOVER : BEFORE_CLOVER])
    for (const [object, keys] of Object.entries(source))
      table.set(object, new Set([...(table.get(object) ?? []), ...keys]))
  return table
}

// Worked out once: the walk asks one map per object instead of two records and two arrays per key.
const DROP_TABLES = [
  dropTable(false, false),
  dropTable(false, true),
  dropTable(true, false),
  dropTable(true, true),
]

function dropTableFor(version: string): DropTable {
  return DROP_TABLES[(isLegacy(version) ? 2 : 0) + (version < CLOVER ? 1 : 0)]!
}

/** A deep copy of a stored object in the shape of `version`, without simulator-private (`_`) fields. */
export function render(value: unknown, version: string): unknown {
  return renderWith(value, dropTableFor(version))
}

const UNDERSCORE = 95

function renderWith(value: unknown, table: DropTable): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    const out = value.slice()
    for (let i = 0; i < out.length; i++) {
      const item = out[i]
      if (item !== null && typeof item === 'object') out[i] = renderWith(item, table)
    }
    return out
  }
  const source = value as Record<string, unknown>
  const kind = kindOf(source)
  const drop = kind !== undefined ? table.get(kind) : undefined
  const dropped = droppedKeys(source, drop)
  // A spread keeps the object's fast V8 shape (built key by key, an object of a few dozen keys is a slow
  // dictionary, slower to serialize); nested objects are then replaced in place. What the version drops is
  // deleted last key first: private fields are added last, and deleting the last key keeps the shape.
  const out = { ...source }
  if (dropped !== undefined) for (let i = dropped.length - 1; i >= 0; i--) delete out[dropped[i]!]
  for (const key in out) {
    const item = out[key]
    if (item !== null && typeof item === 'object') out[key] = renderWith(item, table)
  }
  return out
}

/** The keys a version's shape leaves out of an object: simulator-private (`_`) ones and `drop`'s. */
function droppedKeys(
  source: Record<string, unknown>,
  drop: ReadonlySet<string> | undefined,
): string[] | undefined {
  let dropped: string[] | undefined
  for (const key in source) {
    if (key.charCodeAt(0) !== UNDERSCORE && !drop?.has(key)) continue
    dropped ??= []
    dropped.push(key)
  }
  return dropped
}

/**
 * A stored object in the shape of `version` for an answer serialized at once
 * (`respond` without `expand`): what the version leaves as it is is the stored
 * object itself, and only an object that loses a key is copied, with the
 * objects above it. A PaymentIntent's answer copies one object (it drops
 * `_offSession`) where {@link render} copied all of them (4.6 KB per create
 * and confirm). Safe because the answer is serialized before anything can
 * change the object: in the same turn, or copied before a late answer's wait
 * (core/pipeline/faults.ts). Anything that edits the answer, or keeps it,
 * takes {@link render}'s copy.
 */
export function renderShared(value: unknown, version: string): unknown {
  return shareWith(value, dropTableFor(version))
}

function shareWith(value: unknown, table: DropTable): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (item === null || typeof item !== 'object') continue
      const shared = shareWith(item, table)
      if (shared === item) continue
      out ??= value.slice()
      out[i] = shared
    }
    return out ?? value
  }
  const source = value as Record<string, unknown>
  const kind = kindOf(source)
  const drop = kind !== undefined ? table.get(kind) : undefined
  let out: Record<string, unknown> | undefined
  const dropped = droppedKeys(source, drop)
  if (dropped !== undefined) {
    // Left out as JSON leaves out an undefined value, not deleted: deleting a key in the middle (a
    // PaymentIntent's legacy `invoice`) turns the copy into a slow dictionary, which JSON.stringify
    // serializes a third slower. The answer is serialized at once, so nobody sees the key.
    out = spreadByKind(source, kind)
    for (const key of dropped) out[key] = undefined
  }
  for (const key in source) {
    const item = source[key]
    if (item === null || typeof item !== 'object') continue
    if (key.charCodeAt(0) === UNDERSCORE || drop?.has(key)) continue
    const shared = shareWith(item, table)
    if (shared === item) continue
    out ??= spreadByKind(source, kind)
    out[key] = shared
  }
  return out ?? source
}

/**
 * Replaces ids by the objects they name along each `expand[]` path
 * (`customer`, `latest_charge`, `data.customer`, `latest_invoice.payment_intent`),
 * at most four levels deep as Stripe allows.
 */
export function expand(
  wire: Record<string, unknown>,
  paths: string[] | undefined,
  version: string,
  state: StripeState,
) {
  for (const path of paths ?? []) {
    const segments = path.split('.')
    if (segments.length > 4)
      fail(400, {
        type: 'invalid_request_error',
        message: `You cannot expand more than 4 levels of a property. Property: ${path}`,
        param: 'expand',
      })
    expandAt(wire, segments, path, version, state)
  }
  return wire
}

function expandAt(
  node: unknown,
  segments: string[],
  path: string,
  version: string,
  state: StripeState,
): void {
  if (segments.length === 0 || node === null || typeof node !== 'object') return
  const [head, ...rest] = segments as [string, ...string[]]
  if (Array.isArray(node)) {
    for (const item of node) expandAt(item, segments, path, version, state)
    return
  }
  const record = node as Record<string, unknown>
  if (!(head in record)) cannotExpand(path)
  let value = record[head]
  // A list of ids (an invoice's `discounts`) expands item by item.
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    value = value.map((id: string) => {
      const found = lookupById(state, id)
      if (!found) cannotExpand(path)
      return render(found!, version)
    })
    record[head] = value
  } else if (typeof value === 'string') {
    const found = lookupById(state, value)
    // Ids of objects standin does not store (balance transactions) cannot be expanded either.
    if (!found) cannotExpand(path)
    value = render(found!, version)
    record[head] = value
  } else if (value !== null && typeof value !== 'object') cannotExpand(path)
  expandAt(value, rest, path, version, state)
}

function cannotExpand(path: string): never {
  return fail(400, {
    type: 'invalid_request_error',
    message: `This property cannot be expanded (${path}).`,
    param: 'expand',
  })
}

/** One object on the wire: rendered for the version, then expanded. */
export function wire(
  obj: object,
  version: string,
  state: StripeState,
  paths?: string[],
): Record<string, unknown> {
  return expand(render(obj, version) as Record<string, unknown>, paths, version, state)
}
