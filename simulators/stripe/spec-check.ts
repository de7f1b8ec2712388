import { type JsonSchema, resolve, schemaForObject, spec } from './spec.ts'

/**
 * Checks a response body against Stripe's OpenAPI spec (the bundled
 * 2023-08-16 copy): types, nullability, enums, required fields, and no field
 * the spec does not list, so a field of a newer version leaking into the old
 * shape is caught. Returns the problems, empty when the body conforms.
 */
export function checkResponse(body: unknown): string[] {
  const problems: string[] = []
  if (body === null || typeof body !== 'object') return ['body is not a JSON object']
  const record = body as Record<string, unknown>
  if ('error' in record) {
    check(spec().components.schemas.error!, record, '$', problems)
    return problems
  }
  checkObject(record, '$', problems)
  return problems
}

function checkObject(record: Record<string, unknown>, path: string, problems: string[]) {
  const object = record.object
  if (object === 'list' || object === 'search_result') {
    if (!Array.isArray(record.data)) problems.push(`${path}.data: not an array`)
    if (typeof record.has_more !== 'boolean') problems.push(`${path}.has_more: not a boolean`)
    if (typeof record.url !== 'string') problems.push(`${path}.url: not a string`)
    for (const key of Object.keys(record))
      if (
        !['object', 'data', 'has_more', 'url', ...(object === 'search_result' ? ['next_page'] : [])].includes(
          key,
        )
      )
        problems.push(`${path}.${key}: not in a list`)
    const data = (record.data as unknown[] | undefined) ?? []
    for (const [i, item] of data.entries())
      checkObject(item as Record<string, unknown>, `${path}.data[${i}]`, problems)
    return
  }
  if (typeof object !== 'string') {
    problems.push(`${path}: no object field`)
    return
  }
  const schema =
    record.deleted === true ? spec().components.schemas[`deleted_${object}`] : schemaForObject(object)
  if (!schema) {
    problems.push(`${path}: the spec has no schema for object '${object}'`)
    return
  }
  check(schema, record, path, problems)
}

function check(schema: JsonSchema, value: unknown, path: string, problems: string[]): void {
  const s = resolve(schema)
  if (value === null) {
    if (!s.nullable) problems.push(`${path}: null where the spec does not allow it`)
    return
  }
  if (s.anyOf) {
    let best: string[] | undefined
    for (const option of s.anyOf) {
      const found: string[] = []
      check(option, value, path, found)
      if (found.length === 0) return
      if (!best || found.length < best.length) best = found
    }
    problems.push(...(best ?? []))
    return
  }
  if (s.enum && !s.enum.includes(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`)
    return
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`)
      return
    case 'integer':
      if (!Number.isInteger(value))
        problems.push(`${path}: expected an integer, got ${JSON.stringify(value)}`)
      return
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: expected a number, got ${JSON.stringify(value)}`)
      return
    case 'boolean':
      if (typeof value !== 'boolean')
        problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`)
      return
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path}: expected an array`)
      else for (const [i, item] of value.entries()) check(s.items ?? {}, item, `${path}[${i}]`, problems)
      return
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${path}: expected an object`)
        return
      }
      const record = value as Record<string, unknown>
      const properties = s.properties
      for (const [key, v] of Object.entries(record)) {
        if (typeof v === 'function') continue
        const prop = properties?.[key]
        if (prop) check(prop, v, `${path}.${key}`, problems)
        else if (typeof s.additionalProperties === 'object')
          check(s.additionalProperties, v, `${path}.${key}`, problems)
        else if (properties && s.additionalProperties !== true)
          problems.push(`${path}.${key}: not in the spec`)
      }
      for (const key of s.required ?? [])
        if (!(key in record)) problems.push(`${path}.${key}: required but missing`)
      return
    }
    default:
      return
  }
}
