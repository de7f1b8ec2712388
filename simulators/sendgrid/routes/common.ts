import type { z } from 'zod'
import { compiledParser } from '../../core/compiled-parser.ts'
import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import { type RequestScope, routesFor } from '../../core/provider.ts'
import { fail, MESSAGES, sgError, sgErrors } from '../errors.ts'
import type { SendgridState } from '../models.ts'

/** A SendGrid route; handlers parse their own input (see {@link parse}) so a 429 comes before a 400, as on SendGrid. */
export const sgRoute = routesFor<SendgridState>()

/**
 * The per-minute rate limit, as a pre-validation hook: counted per operation
 * before the parameters are read (so even invalid requests spend it), and
 * its X-RateLimit-* headers go on every answer, the 429 and a 400 alike.
 */
export function rateLimit(scope: RequestScope<SendgridState>): PlainResponse | undefined {
  const { ctx, route } = scope
  const now = ctx.clock.now()
  const window = ctx.state.rate.get(route.operation)
  const current = window && now - window.windowStart < 60_000 ? window : { windowStart: now, count: 0 }
  current.count++
  ctx.state.rate.set(route.operation, current)
  const limit = ctx.state.rateLimitPerMinute
  scope.headers = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - current.count)),
    'x-ratelimit-reset': String(Math.ceil((current.windowStart + 60_000) / 1000)),
  }
  return current.count > limit ? sgError(429, MESSAGES.tooManyRequests) : undefined
}

/** SendGrid's v3 API takes JSON only. */
export function requireJson(req: PlainRequest): void {
  if (req.rawBody.length > 0 && req.contentType !== 'application/json' && !req.contentType?.endsWith('+json'))
    fail(sgError(415, MESSAGES.contentType))
}

/** Parses a body or query with a zod schema; failures become SendGrid's `{errors:[{field,message}]}` 400. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = compiledParser(schema).safeParse(value)
  if (parsed.success) return parsed.data
  fail(
    sgErrors(
      400,
      parsed.error.issues.map((issue) => ({
        field:
          issue.path.length > 0
            ? issue.path.join('.')
            : issue.code === 'unrecognized_keys'
              ? (issue.keys[0] ?? null)
              : null,
        message: issueMessage(issue),
        help: null,
      })),
    ),
  )
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.')
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${field} is required` : `${field} should be a ${issue.expected}`
    case 'too_big':
      return `${field} is too long`
    case 'too_small':
      return `${field} is too short`
    case 'invalid_value':
      return `${field} is invalid`
    default:
      return issue.message
  }
}

export function body(req: PlainRequest): unknown {
  requireJson(req)
  return req.body ?? {}
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as templates show `updated_at`. */
export function sgDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

export const noContent = () => ({ status: 204 })
