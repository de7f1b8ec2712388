/**
 * `{{var}}` templates and JSON pointers: the two small languages a profile is
 * written in. A string that is exactly one placeholder keeps the variable's
 * type (a number stays a number); a placeholder for an absent variable drops
 * that key from an object, so optional fields need no second template.
 */
import { randomUUID } from 'node:crypto'

export type Vars = Record<string, unknown>

const WHOLE = /^\{\{\s*([$\w.]+)\s*\}\}$/
const ANY = /\{\{\s*([$\w.]+)\s*\}\}/g
const ABSENT = Symbol('absent')

/** Generated values: `{{$uuid}}` is fresh at each use. */
function lookup(name: string, vars: Vars): unknown {
  if (name === '$uuid') return randomUUID()
  let value: unknown = vars
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function renderValue(template: unknown, vars: Vars): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template)
    if (whole) {
      const value = lookup(whole[1]!, vars)
      return value === undefined ? ABSENT : value
    }
    return template.replace(ANY, (_, name: string) => {
      const value = lookup(name, vars)
      return value === undefined || value === null ? '' : String(value)
    })
  }
  if (Array.isArray(template)) return template.map((t) => renderValue(t, vars)).filter((v) => v !== ABSENT)
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, t] of Object.entries(template)) {
      const value = renderValue(t, vars)
      if (value !== ABSENT) out[key] = value
    }
    return out
  }
  return template
}

/** Renders a template (string, object or array) with `vars`. */
export function render<T>(template: T, vars: Vars): T {
  const value = renderValue(template, vars)
  return (value === ABSENT ? undefined : value) as T
}

/** Renders a string template; every placeholder becomes text (URL-encoded when `encode`). */
export function renderText(template: string, vars: Vars, encode = false): string {
  return template.replace(ANY, (_, name: string) => {
    const value = lookup(name, vars)
    const text = value === undefined || value === null ? '' : String(value)
    return encode ? encodeURIComponent(text) : text
  })
}

/** RFC 6901: resolves `/a/0/b` in `doc`; undefined where the path does not exist. */
export function pointer(doc: unknown, path: string): unknown {
  if (path === '') return doc
  let value = doc
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}
