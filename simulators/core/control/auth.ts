import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { HarnessError } from '../errors.ts'

/** Who may use the control plane and from which pages. */
export interface ControlSecurity {
  /** When set, every /_standin/ route but login requires it (Bearer header or the login cookie). */
  token?: string | undefined
  /** The one origin browsers may call the control plane from; none by default (no CORS headers). */
  cors?: string | undefined
}

export const TOKEN_COOKIE = 'standin_token'
const LoginBody = z.strictObject({ token: z.string() })

/**
 * Digests first, so both sides have one length and the comparison takes the
 * same time however many leading characters a guess gets right.
 */
export function tokenMatches(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(expected), digest(given))
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null
  return match?.[1]
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

function refuse(reply: FastifyReply, message: string) {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="standin"')
    .send(new HarnessError('STANDIN_UNAUTHORIZED', message, { field: 'authorization' }).toJSON())
}

/**
 * The token check, CORS and `POST <prefix>/login` (which sets the HttpOnly
 * cookie the dashboard's EventSource sends, since it cannot set a header).
 * Pages outside the prefix (the dashboard and its assets) stay open: they
 * only show a token form until the API lets them in.
 */
export function secureControlPlane(app: FastifyInstance, prefix: string, security: ControlSecurity): void {
  const { token, cors } = security
  const login = `${prefix}/login`

  app.addHook('onRequest', async (request, reply) => {
    if (cors) {
      reply.header('access-control-allow-origin', cors).header('vary', 'origin')
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, DELETE')
          .header('access-control-allow-headers', 'authorization, content-type')
          .header('access-control-allow-credentials', 'true')
          .send()
      }
    }
    const path = request.url.split('?')[0]!
    if (!token || path === login || !(path === prefix || path.startsWith(`${prefix}/`))) return
    const given = bearer(request) ?? cookie(request, TOKEN_COOKIE)
    if (given === undefined)
      return refuse(
        reply,
        `Failed to authorise: this hub requires its control-plane token and the request carries none. Send 'Authorization: Bearer <token>' (the --control-token / STANDIN_CONTROL_TOKEN the hub was started with), or log in with POST ${login}.`,
      )
    if (!tokenMatches(token, given))
      return refuse(
        reply,
        'Failed to authorise: the control-plane token is wrong. Use the --control-token / STANDIN_CONTROL_TOKEN the hub was started with.',
      )
  })

  app.post(login, async (request, reply) => {
    if (!token) return reply.code(204).send()
    const parsed = LoginBody.safeParse(request.body ?? {})
    if (!parsed.success) return refuse(reply, 'Failed to log in: send the token as { "token": "..." }.')
    if (!tokenMatches(token, parsed.data.token))
      return refuse(reply, 'Failed to log in: the control-plane token is wrong.')
    return reply
      .code(204)
      .header(
        'set-cookie',
        `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=${prefix}`,
      )
      .send()
  })
}

/** Whether binding `host` keeps the hub to this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
