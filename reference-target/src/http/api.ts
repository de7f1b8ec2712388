import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { ApiError } from '../errors.ts'

export interface AuthUser {
  id: string
  phone: string
}

export interface RouteInput<B, Q, P> {
  body: B
  query: Q
  params: P
  user: AuthUser
  ip: string
  request: FastifyRequest
  reply: FastifyReply
}

/**
 * One route of the public API: its zod schemas are both the validation and
 * the OpenAPI contract (openapi.ts renders them), so the two cannot drift.
 */
export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  operationId: string
  summary: string
  tag: string
  /** Bearer session token required (default true). */
  auth?: boolean
  body?: B
  query?: Q
  params?: P
  /** Success status (default 200) and a response schema for the contract. */
  status?: number
  response?: z.ZodType
  /** Error statuses this route answers besides 400/401, with why. */
  errors?: Record<number, string>
  handler(input: RouteInput<z.output<B>, z.output<Q>, z.output<P>>): Promise<unknown>
}

export function route<
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<B, Q, P>): RouteSpec {
  return spec as unknown as RouteSpec
}

/** Turns a zod failure into the first issue's field and message. */
export function validation(error: z.ZodError, where: 'body' | 'query' | 'params'): ApiError {
  const issue = error.issues[0]!
  const field = issue.path.length ? issue.path.join('.') : where
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? `${field} is required.`
      : `${field}: ${issue.message}`
  return new ApiError(400, 'invalid_request', message, field)
}

function parse<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
  where: 'body' | 'query' | 'params',
) {
  if (!schema) return value
  const result = schema.safeParse(where === 'body' && value === undefined ? {} : value)
  if (!result.success) throw validation(result.error, where)
  return result.data
}

export type Authenticate = (request: FastifyRequest) => Promise<AuthUser>

export function mountRoutes(app: FastifyInstance, routes: RouteSpec[], authenticate: Authenticate): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.path,
      handler: async (request, reply) => {
        const user = spec.auth === false ? (undefined as never) : await authenticate(request)
        const params = parse(spec.params, request.params, 'params')
        const query = parse(spec.query, request.query, 'query')
        const body = parse(spec.body, request.body, 'body')
        const result = await spec.handler({ body, query, params, user, ip: request.ip, request, reply })
        if (reply.sent) return reply
        reply.code(spec.status ?? 200)
        return result ?? {}
      },
    })
  }
}
