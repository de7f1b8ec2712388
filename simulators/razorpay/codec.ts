import { z } from 'zod'
import { compiledParser } from '../core/compiled-parser.ts'
import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import { errorResponse, fail } from './errors.ts'

/**
 * Request parameters as Razorpay's (Laravel) validators read them: JSON
 * numbers or digit strings (razorpay-node < 2.9.2 and PHP clients send forms),
 * booleans as true/false/1/0, and Laravel's own messages ("The amount must be
 * an integer."). Each zod issue carries the exact description to send.
 */

const DIGITS = /^-?\d+$/

/**
 * A field left out must read as optional to zod; a required one runs its
 * transform on `undefined` so the transform can say "The x field is required.".
 */
function optionalUnless<S extends z.ZodType>(required: boolean | undefined, schema: S) {
  return required ? schema : schema.optional()
}

/** An integer parameter; `undefined` in, `undefined` out unless `required`. */
export function integer(field: string, options: { required?: boolean; min?: number; max?: number } = {}) {
  return optionalUnless(
    options.required,
    z.any().transform((value, ctx): number | undefined => {
      if (value === undefined || value === null || value === '') {
        if (options.required) ctx.addIssue({ code: 'custom', message: `The ${field} field is required.` })
        return undefined
      }
      const n = typeof value === 'string' && DIGITS.test(value.trim()) ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n) || !Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `The ${field} must be an integer.` })
        return z.NEVER
      }
      if (options.min !== undefined && n < options.min)
        ctx.addIssue({ code: 'custom', message: `The ${field} must be at least ${options.min}.` })
      if (options.max !== undefined && n > options.max)
        ctx.addIssue({ code: 'custom', message: `The ${field} may not be greater than ${options.max}.` })
      return n
    }),
  )
}

/** A required integer amount; the range checks that depend on the currency are the handler's. */
export const amount = (required = true) => integer('amount', { required })

export function boolean(field: string) {
  return optionalUnless(
    false,
    z.any().transform((value, ctx): boolean | undefined => {
      if (value === undefined || value === null || value === '') return undefined
      if (value === true || value === 1 || value === '1' || value === 'true') return true
      if (value === false || value === 0 || value === '0' || value === 'false') return false
      ctx.addIssue({ code: 'custom', message: `The ${field} field must be true or false.` })
      return z.NEVER
    }),
  )
}

export function string(field: string, options: { required?: boolean; max?: number } = {}) {
  return optionalUnless(
    options.required,
    z.any().transform((value, ctx): string | undefined => {
      if (value === undefined || value === null || value === '') {
        if (options.required) ctx.addIssue({ code: 'custom', message: `The ${field} field is required.` })
        return undefined
      }
      if (typeof value !== 'string' && typeof value !== 'number') {
        ctx.addIssue({ code: 'custom', message: `The ${field} must be a string.` })
        return z.NEVER
      }
      const text = String(value)
      if (options.max !== undefined && text.length > options.max)
        ctx.addIssue({
          code: 'custom',
          message: `The ${field} may not be greater than ${options.max} characters.`,
        })
      return text
    }),
  )
}

export function oneOf<const T extends readonly string[]>(field: string, values: T) {
  return optionalUnless(
    false,
    z.any().transform((value, ctx): T[number] | undefined => {
      if (value === undefined || value === null || value === '') return undefined
      if (typeof value === 'string' && values.includes(value)) return value as T[number]
      ctx.addIssue({ code: 'custom', message: `The selected ${field} is invalid.` })
      return z.NEVER
    }),
  )
}

/** `notes`: a dictionary of at most 15 scalar values (razorpay/api PublicErrorDescription). */
export const notes = z
  .any()
  .transform((value, ctx): Record<string, string | number | boolean | null> | undefined => {
    if (value === undefined || value === null || value === '') return undefined
    // An empty array is what PHP clients send for "no notes".
    if (Array.isArray(value) && value.length === 0) return {}
    if (typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'Notes should be provided as a dictionary' })
      return z.NEVER
    }
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length > 15) {
      ctx.addIssue({
        code: 'custom',
        message: 'Number of fields in notes should be less than or equal to 15',
      })
      return z.NEVER
    }
    const out: Record<string, string | number | boolean | null> = {}
    for (const [key, v] of entries) {
      if (v !== null && typeof v === 'object') {
        ctx.addIssue({ code: 'custom', message: 'Notes values themselves should not be an array' })
        return z.NEVER
      }
      if (key.length > 255)
        ctx.addIssue({ code: 'custom', message: 'Notes key cannot be greater 255 characters' })
      if (typeof v === 'string' && v.length > 512)
        ctx.addIssue({ code: 'custom', message: 'Notes value cannot be greater 512 characters' })
      out[key] = v as string | number | boolean | null
    }
    return out
  })
  .optional()

/** `expand[]=payments` arrives as an array, a string, or (razorpay-node's `{ 'expand[]': [...] }`) a nested object. */
export const expand = z
  .any()
  .transform((value): string[] => {
    const out: string[] = []
    const walk = (v: unknown) => {
      if (typeof v === 'string') out.push(v)
      else if (Array.isArray(v)) v.forEach(walk)
      else if (v && typeof v === 'object') Object.values(v).forEach(walk)
    }
    walk(value)
    return out
  })
  .optional()

/** Every `expand[]` value of a list or fetch query, however the client spelled the key. */
export function expansions(input: {
  expand?: string[] | undefined
  'expand[]'?: string[] | undefined
}): string[] {
  return [...(input['expand[]'] ?? []), ...(input.expand ?? [])]
}

/**
 * Parses parameters with a schema of this file's fields; the first issue
 * becomes Razorpay's 400. Unknown keys → "<key> is/are not required and should not be sent".
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = compiledParser(schema).safeParse(value ?? {})
  if (parsed.success) return parsed.data
  throw new ProviderError(invalidInput(parsed.error.issues))
}

/** Razorpay's 400 for the first issue of a parameter schema (also the provider's `responses.invalidInput`). */
export function invalidInput(issues: readonly z.core.$ZodIssue[]): PlainResponse {
  const issue = issues[0]!
  if (issue.code === 'unrecognized_keys')
    return errorResponse({
      description: `${issue.keys.join(', ')} is/are not required and should not be sent`,
      field: issue.keys[0] ?? null,
      source: 'business',
      step: 'payment_initiation',
      reason: 'extra_field_sent',
    })
  return errorResponse({
    description:
      issue.code === 'invalid_type' && issue.path.length === 0
        ? 'The request body should be a JSON object'
        : issue.message,
    field:
      issue.code === 'invalid_type' && issue.path.length === 0
        ? null
        : issue.path.length > 0
          ? issue.path.map(String).join('.')
          : null,
    source: 'business',
    step: 'payment_initiation',
    reason: 'input_validation_failed',
  })
}

/**
 * Checks an id's prefix: an id of another entity ("order_..." given as a
 * payment id) is "not a valid id"; a well-prefixed unknown one is the
 * caller's "The id provided does not exist".
 */
export function checkId(id: string, prefix: string): void {
  if (!id.startsWith(prefix)) fail({ description: `${id} is not a valid id`, field: null })
}
