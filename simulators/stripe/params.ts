import { z } from 'zod'
import { type JsonSchema, operationParams, resolve } from './spec.ts'

/**
 * Request parameters checked against the operation's schema in Stripe's
 * OpenAPI document, and coerced from form strings to the schema's types
 * (stripe-mock's third decoding step). A failure carries what Stripe answers:
 * its code, its message and the bracketed `param`.
 */
export class ParamError extends Error {
  constructor(
    message: string,
    readonly param: string,
    readonly code?: string,
  ) {
    super(message)
  }
}

/** Values added to Stripe's enums after the bundled spec (event types of basil and later). */
const NEWER_ENUM_VALUES = new Set([
  'invoice_payment.paid',
  'invoice.overpaid',
  'invoice.will_be_due',
  'invoice.overdue',
])

const name = (path: string[]) => path.map((p, i) => (i === 0 ? p : `[${p}]`)).join('')

function emptyNotAllowed(path: string[]) {
  const p = name(path)
  return new ParamError(
    `You passed an empty string for '${p}'. We assume empty values are an attempt to unset a parameter; however '${p}' cannot be unset. You should remove '${p}' from your request or supply a non-empty value.`,
    p,
    'parameter_invalid_empty',
  )
}

/**
 * Checks `value` against the operation's schema and returns it coerced. `path` names where the
 * walk is: one array, a segment pushed for each child and popped after (a copy per key, the way it
 * was, cost about 1 KB of garbage on a customer create); an error names it when it is made.
 */
export function check(schema: JsonSchema, value: unknown, path: string[]): unknown {
  const s = resolve(schema)
  if (s.anyOf) {
    let chosen: unknown
    let fallback: unknown
    const depth = path.length
    for (const option of s.anyOf) {
      try {
        return check(option, value, path)
      } catch (error) {
        // A branch that failed inside a child left its segments on the path.
        path.length = depth
        // Report a branch other than the "empty string unsets" alternative: it says what was expected.
        const o = resolve(option)
        const unset = o.enum?.length === 1 && o.enum[0] === ''
        if (!unset && chosen === undefined) chosen = error
        fallback ??= error
      }
    }
    throw chosen ?? fallback
  }
  if (s.enum && s.type === 'string') {
    if (typeof value !== 'string' || (!s.enum.includes(value) && !NEWER_ENUM_VALUES.has(value))) {
      if (value === '' && !s.enum.includes('')) throw emptyNotAllowed(path)
      const options = s.enum.filter((e) => e !== '').map(String)
      const list =
        options.length > 1 ? `${options.slice(0, -1).join(', ')}, or ${options.at(-1)}` : options[0]
      throw new ParamError(`Invalid ${name(path)}: must be one of ${list}`, name(path))
    }
    return value
  }
  switch (s.type) {
    case 'integer': {
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (value === '') throw emptyNotAllowed(path)
      if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) return Number(value)
      throw new ParamError(
        `Invalid integer: ${String(typeof value === 'object' ? 'object' : value)}`,
        name(path),
        'parameter_invalid_integer',
      )
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value
      if (value === '') throw emptyNotAllowed(path)
      if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
      throw new ParamError(`Invalid decimal: ${String(value)}`, name(path))
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      if (value === '') throw emptyNotAllowed(path)
      throw new ParamError(`Invalid boolean: ${String(value)}`, name(path))
    }
    case 'string': {
      if (typeof value === 'number' || typeof value === 'boolean') value = String(value)
      // A token or a dictionary (`external_account`): the spec types only the token and marks the bypass.
      if (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        s['x-stripeBypassValidation']
      )
        return value
      if (typeof value !== 'string')
        throw new ParamError(`Invalid string: ${describeValue(value)}`, name(path))
      if (s.maxLength !== undefined && value.length > s.maxLength)
        throw new ParamError(
          `Invalid string: ${value.slice(0, 20)}...; must be at most ${s.maxLength} characters`,
          name(path),
        )
      return value
    }
    case 'array': {
      if (!Array.isArray(value)) throw new ParamError('Invalid array', name(path))
      return value.map((item, i) => checkChild(s.items ?? {}, item, path, String(i)))
    }
    case 'object':
      return checkObject(s, value, path)
    default:
      return value
  }
}

function describeValue(value: unknown): string {
  return Array.isArray(value)
    ? 'array'
    : typeof value === 'object' && value !== null
      ? 'object'
      : String(value)
}

function checkChild(schema: JsonSchema, value: unknown, path: string[], key: string): unknown {
  path.push(key)
  const checked = check(schema, value, path)
  path.pop()
  return checked
}

function checkObject(s: JsonSchema, value: unknown, path: string[]): Record<string, unknown> {
  // The form decoder turns integer-keyed maps into arrays; a map-typed param (metadata[0]=x) wants them back.
  if (Array.isArray(value) && (s.additionalProperties || path.at(-1) === 'metadata'))
    value = Object.fromEntries(value.map((v, i) => [String(i), v]))
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ParamError(`Invalid object`, name(path))
  const input = value as Record<string, unknown>
  if (path.at(-1) === 'metadata') checkMetadata(input, path)
  const out: Record<string, unknown> = {}
  const properties = s.properties ?? {}
  for (const key in input) {
    if (!Object.hasOwn(input, key)) continue
    const v = input[key]
    const prop = properties[key]
    if (prop) out[key] = checkChild(prop, v, path, key)
    else if (typeof s.additionalProperties === 'object')
      out[key] = checkChild(s.additionalProperties, v, path, key)
    else if (
      s.additionalProperties === true ||
      (s.properties === undefined && s.additionalProperties === undefined)
    )
      out[key] = v
    else
      throw new ParamError(
        `Received unknown parameter: ${name([...path, key])}`,
        name([...path, key]),
        'parameter_unknown',
      )
  }
  for (const key of s.required ?? []) {
    if (input[key] === undefined)
      throw new ParamError(
        `Missing required param: ${name([...path, key])}.`,
        name([...path, key]),
        'parameter_missing',
      )
  }
  return out
}

/** Stripe's own metadata limits (50 keys, keys up to 40 characters, values up to 500). */
function checkMetadata(input: Record<string, unknown>, path: string[]) {
  const keys = Object.keys(input)
  if (keys.length > 50)
    throw new ParamError(
      `You can have up to 50 metadata keys, but you passed in ${keys.length} keys.`,
      name(path),
    )
  for (const key of keys) {
    if (key.length > 40)
      throw new ParamError(
        `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters. Invalid key: '${key.slice(0, 40)}...'`,
        name([...path, key]),
      )
    const v = input[key]
    if (typeof v === 'string' && v.length > 500)
      throw new ParamError(
        `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters. Invalid value: ${v.slice(0, 40)}...`,
        name([...path, key]),
      )
  }
}

/**
 * A route input: the operation's parameters checked against the spec, then
 * typed by `shape` (only the fields the handler reads; the spec already
 * refused everything else).
 *
 * @example
 * input: params('POST', '/v1/customers', { email: z.string().optional() })
 */
export function params<Shape extends z.ZodRawShape>(method: string, specPath: string, shape: Shape) {
  let schema: JsonSchema | undefined
  return z
    .unknown()
    .transform((value, ctx) => {
      schema ??= operationParams(method, specPath)
      try {
        return check(schema, value ?? {}, []) as Record<string, unknown>
      } catch (error) {
        if (!(error instanceof ParamError)) throw error
        ctx.addIssue({
          code: 'custom',
          message: error.message,
          params: { param: error.param, stripeCode: error.code },
        })
        return z.NEVER
      }
    })
    .pipe(z.looseObject(shape))
}

/** Fields every list endpoint takes. */
export const listShape = {
  limit: z.number().optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand: z.array(z.string()).optional(),
}

export const expandShape = { expand: z.array(z.string()).optional() }
export const metadataShape = {
  metadata: z.union([z.record(z.string(), z.string()), z.literal('')]).optional(),
}
