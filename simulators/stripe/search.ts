import { invalidRequest } from './errors.ts'

/**
 * Stripe's Search Query Language, the part apps use: clauses
 * `field:"value"` (exact), `field~"value"` (substring), `field>10` / `>=` /
 * `<` / `<=` (numbers), `-field:"value"` (negation), `metadata["key"]:"value"`,
 * `field:null`, joined by `AND` or by `OR` (not both, as Stripe requires).
 */
interface Clause {
  negate: boolean
  path: string[]
  op: ':' | '~' | '>' | '>=' | '<' | '<='
  value: string | number | null
}

const CLAUSE =
  /^(-)?([a-z_][a-z0-9_.]*)(?:\[(?:"([^"]+)"|'([^']+)')\])?\s*(>=|<=|:|~|>|<)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)|(null))$/

function unparseable(query: string): never {
  return invalidRequest(
    `We were unable to parse your search query. Try using the format \`metadata["key"]:"value"\` to query for metadata or \`key:"value"\` to query for other fields. Query: ${query}`,
    'query',
  )
}

export function parseQuery(query: string): { join: 'AND' | 'OR'; clauses: Clause[] } {
  const trimmed = query.trim()
  if (trimmed === '') unparseable(query)
  const hasAnd = / AND /.test(trimmed)
  const hasOr = / OR /.test(trimmed)
  if (hasAnd && hasOr) invalidRequest('You cannot combine AND and OR in the same search query.', 'query')
  const join = hasOr ? 'OR' : 'AND'
  const clauses = trimmed.split(join === 'OR' ? / OR / : / AND /).map((part) => {
    const m = CLAUSE.exec(part.trim())
    if (!m) return unparseable(query)
    const [, neg, field, key1, key2, op, dq, sq, num, nul] = m
    const key = key1 ?? key2
    const value = dq ?? sq ?? (num !== undefined ? Number(num) : nul !== undefined ? null : undefined)
    return {
      negate: neg === '-',
      path: key !== undefined ? [field!, key] : field!.split('.'),
      op: op as Clause['op'],
      value: value === undefined ? null : value,
    }
  })
  return { join, clauses }
}

function read(item: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = item
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

function holds(item: Record<string, unknown>, clause: Clause): boolean {
  const actual = read(item, clause.path)
  let ok: boolean
  switch (clause.op) {
    case ':':
      ok =
        clause.value === null
          ? actual === null || actual === undefined
          : String(actual) === String(clause.value)
      break
    case '~':
      ok = typeof actual === 'string' && actual.toLowerCase().includes(String(clause.value).toLowerCase())
      break
    default: {
      const a = Number(actual)
      const b = Number(clause.value)
      ok =
        typeof actual === 'number' &&
        (clause.op === '>' ? a > b : clause.op === '>=' ? a >= b : clause.op === '<' ? a < b : a <= b)
    }
  }
  return clause.negate ? !ok : ok
}

export function matcher(query: string): (item: object) => boolean {
  const { join, clauses } = parseQuery(query)
  return (item) => {
    const record = item as Record<string, unknown>
    return join === 'AND' ? clauses.every((c) => holds(record, c)) : clauses.some((c) => holds(record, c))
  }
}
