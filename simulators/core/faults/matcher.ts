import { readPath } from '../http.ts'
import { pathMatcher } from '../router.ts'
import type { FaultMatch, FieldMatcher } from './match.ts'

export interface MatchSubject {
  provider: string
  operation: string | undefined
  method: string
  path: string
  account: string | undefined
  body: unknown
  query: Record<string, unknown>
  headers: Record<string, string | undefined>
}

export type CompiledMatch = (subject: MatchSubject) => boolean

/**
 * Compiles a match once, at rule creation, into one predicate: the engine
 * runs it on every request, so nothing is parsed at request time.
 */
export function compileMatch(match: FaultMatch): CompiledMatch {
  const checks: CompiledMatch[] = []
  if (match.operation !== undefined) checks.push((s) => s.operation === match.operation)
  if (match.method !== undefined) checks.push((s) => s.method === match.method)
  if (match.path !== undefined) {
    const test = pathMatcher(match.path)
    checks.push((s) => test(s.path))
  }
  if (match.account !== undefined) checks.push((s) => s.account === match.account)
  for (const [source, conditions] of [
    ['body', match.body],
    ['query', match.query],
    ['headers', match.headers],
  ] as const) {
    for (const [path, condition] of Object.entries(conditions ?? {})) {
      const test = compileField(condition)
      const key = source === 'headers' ? path.toLowerCase() : path
      checks.push((s) => test(source === 'headers' ? s.headers[key] : readPath(s[source], key)))
    }
  }
  return (subject) => {
    for (const check of checks) if (!check(subject)) return false
    return true
  }
}

function compileField(condition: FieldMatcher): (value: unknown) => boolean {
  if (typeof condition !== 'object') {
    const expected = String(condition)
    return (value) => value !== undefined && value !== null && String(value) === expected
  }
  const regex = condition.regex !== undefined ? new RegExp(condition.regex) : undefined
  return (value) => {
    const present = value !== undefined && value !== null
    if (condition.exists !== undefined && condition.exists !== present) return false
    if (!present) return condition.exists === false
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
    if (condition.equals !== undefined && text !== String(condition.equals)) return false
    if (condition.contains !== undefined && !text.includes(condition.contains)) return false
    if (regex && !regex.test(text)) return false
    if (condition.oneOf !== undefined && !condition.oneOf.map(String).includes(text)) return false
    return true
  }
}
