import type { PlainRequest } from '../core/http.ts'

/**
 * What must match for a replay: the endpoint and the decoded parameters, so
 * `a=1&b=2` and `b=2&a=1` are the same request (Stripe compares parameters,
 * not bytes), while the same key on another endpoint is a conflict.
 */
export function fingerprint(req: PlainRequest): string {
  return `${req.method} ${req.path} ${stable(req.body ?? {})}`
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}
