import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { copyJson } from '../core/json-copy.ts'

/**
 * Stripe's OpenAPI document (the bundled 2023-08-16 copy), loaded once on
 * first use: request parameters are validated against it and blank objects are
 * derived from it, as stripe-mock builds every route from the same document.
 */
export const SPEC_VERSION = '2023-08-16'

export interface JsonSchema {
  $ref?: string
  type?: string
  nullable?: boolean
  enum?: unknown[]
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  maxLength?: number
  format?: string
  'x-resourceId'?: string
  'x-stripeBypassValidation'?: boolean
}

interface Parameter {
  in: string
  name: string
  required?: boolean
  schema: JsonSchema
}

interface Operation {
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
}

interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, JsonSchema> }
}

let loaded: Spec | undefined
let byObject: Map<string, string> | undefined

export function spec(): Spec {
  // Vendored (gzipped, 0.4 MB) so the simulator runs wherever standin is installed; see openapi/README.md.
  loaded ??= JSON.parse(
    gunzipSync(readFileSync(new URL('./openapi/spec3.json.gz', import.meta.url))).toString('utf8'),
  ) as Spec
  return loaded
}

export function resolve(schema: JsonSchema): JsonSchema {
  let s = schema
  while (s.$ref) s = spec().components.schemas[s.$ref.slice('#/components/schemas/'.length)]!
  return s
}

/** The component schema whose `object` is this value ('payment_intent', 'checkout.session'). */
export function schemaForObject(object: string): JsonSchema | undefined {
  if (!byObject) {
    byObject = new Map()
    for (const [name, schema] of Object.entries(spec().components.schemas)) {
      const value = schema.properties?.object?.enum?.[0]
      if (typeof value !== 'string' || value === 'list' || value === 'search_result') continue
      // Prefer the API resource (x-resourceId) over embedded copies sharing the same `object`.
      if (!byObject.has(value) || schema['x-resourceId'] === value) byObject.set(value, name)
    }
  }
  const name = byObject.get(object)
  return name ? spec().components.schemas[name] : undefined
}

/** The parameter schema of an operation: its form body (POST) or its query parameters (GET, DELETE). */
export function operationParams(method: string, path: string): JsonSchema {
  const operation = spec().paths[path]?.[method.toLowerCase()]
  if (!operation) throw new Error(`stripe spec has no ${method} ${path}`)
  // GET and DELETE carry an empty form body schema in the spec; their parameters are in the query.
  const body = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema
  if (body && method.toUpperCase() === 'POST') return body
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const p of operation.parameters ?? []) {
    if (p.in !== 'query') continue
    properties[p.name] = p.schema
    if (p.required) required.push(p.name)
  }
  return { type: 'object', properties, required, additionalProperties: false }
}

/**
 * A schema-shaped object with every required field at its empty value, for fields the simulator does not model.
 * Each kind's blank is worked out once and kept: a fresh deep copy of it is far cheaper than walking the schema
 * again on every create (and a walk of the kept object cheaper than parsing it from JSON).
 */
export function blank(object: string): Record<string, unknown> {
  return copyJson(blankTemplate(object))
}

function blankTemplate(object: string): Record<string, unknown> {
  let template = blanks.get(object)
  if (template === undefined) {
    const schema = schemaForObject(object)
    template = copyJson(schema ? blankOf(schema, 0) : { object }) as Record<string, unknown>
    blanks.set(object, template)
  }
  return template
}
const blanks = new Map<string, Record<string, unknown>>()

/**
 * `values` completed with each required field of the object's schema it lacks,
 * at its empty value. The literal comes first and is completed, rather than a
 * blank spread first and forty fields overridden: V8 builds a literal from one
 * known shape, while spread-then-override is its slowest way to make an object
 * (measured: about 100× slower; it was most of the create handlers' own time).
 */
export function withBlank<T extends object>(object: string, values: T): T {
  return completed(blankTemplate(object), values as Record<string, unknown>) as T
}

/**
 * Adds to `values` a copy of each of the template's fields it lacks. Only those are copied: the literal
 * usually names most fields, and a copy of the whole blank (the nested ones included) was thrown away but
 * for a few of them (1 KB of the 28 a PaymentIntent create+confirm allocated).
 */
function completed(
  template: Record<string, unknown>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  for (const key in template) if (!(key in values)) values[key] = copyJson(template[key])
  return values
}

function blankOf(schema: JsonSchema, depth: number): unknown {
  const s = resolve(schema)
  if (s.nullable) return null
  if (s.anyOf) return blankOf(s.anyOf[0]!, depth)
  if (s.enum && s.enum.length > 0) return s.enum[0]
  switch (s.type) {
    case 'string':
      return ''
    case 'integer':
    case 'number':
      return 0
    case 'boolean':
      return false
    case 'array':
      return []
    case 'object': {
      const out: Record<string, unknown> = {}
      if (depth > 6) return out
      for (const key of s.required ?? []) out[key] = blankOf(s.properties?.[key] ?? {}, depth + 1)
      if (s.properties?.object?.enum?.[0] === 'list') out.data = []
      return out
    }
    default:
      return null
  }
}

/** A component schema's required fields at their empty values, overlaid with `values`. */
export function fill(schemaName: string, values: Record<string, unknown>): Record<string, unknown> {
  let template = filled.get(schemaName)
  if (template === undefined) {
    const schema = spec().components.schemas[schemaName]
    template = copyJson(schema ? blankOf(schema, 0) : {}) as Record<string, unknown>
    filled.set(schemaName, template)
  }
  return completed(template, values)
}
const filled = new Map<string, Record<string, unknown>>()
