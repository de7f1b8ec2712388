/**
 * An app with another API shape, for proving that the journeys adapt to an
 * app by its profile alone. It fronts the reference target and changes every
 * convention a team might differ in: paths (/api/v2/…, other names), field
 * names (snake_case both ways), auth (a `sid` session cookie instead of a
 * bearer token), errors (`{"errors":[{"reason":"OTP_EXPIRED"}]}` with other
 * statuses) and the clock endpoint (`PUT /api/v2/debug/clock {epoch_ms}`).
 * Paths outside /api/v2 (webhooks, payment return URLs) pass through byte for
 * byte, as a real gateway would, so provider signatures still verify.
 * Its profile is profiles/reshaped-example.json.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'

/** Reshaped path prefix → the reference target's, first match wins. */
const ROUTES: [RegExp, string][] = [
  [/^\/api\/v2\/sms-login\/confirm$/, '/v1/auth/otp/verify'],
  [/^\/api\/v2\/sms-login$/, '/v1/auth/otp'],
  [/^\/api\/v2\/account\/profile$/, '/v1/me/profile'],
  [/^\/api\/v2\/account\/work-email$/, '/v1/me/company-verification'],
  [/^\/api\/v2\/account\/inbox$/, '/v1/me/notifications'],
  [/^\/api\/v2\/account$/, '/v1/me'],
  [/^\/api\/v2\/wallet$/, '/v1/credits'],
  [/^\/api\/v2\/purchases/, '/v1/payments'],
  [/^\/api\/v2\/people\/([^/]+)\/likes$/, '/v1/users/$1/like'],
  [/^\/api\/v2\/people$/, '/v1/discovery'],
  [/^\/api\/v2\/premium/, '/v1/subscriptions/current'],
  [/^\/api\/v2\/plans$/, '/v1/subscriptions'],
  [/^\/api\/v2\/debug\/clock$/, '/_test/clock'],
  [/^\/api\/v2\/(.*)$/, '/v1/$1'],
]
const STATUS: Record<number, number> = { 422: 400, 410: 400, 402: 403, 409: 422, 201: 200, 202: 200 }

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
// Fields named by a provider (Razorpay's checkout result: razorpay_payment_id, …) keep the provider's spelling.
const camel = (key: string) =>
  key.startsWith('razorpay_') ? key : key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
function rekey(value: unknown, rename: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rekey(v, rename))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), rekey(v, rename)]))
}

/** This app's refusals: `{"errors":[{"reason":"OTP_EXPIRED","detail","param"}]}`, with its own statuses. */
function reshapeError(status: number, json: unknown): { status: number; json: unknown } {
  const error = (json as { error?: { code?: string; message?: string; field?: string } }).error
  if (!error) return { status, json }
  return {
    status: STATUS[status] ?? status,
    json: {
      errors: [{ reason: String(error.code).toUpperCase(), detail: error.message, param: error.field }],
    },
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Starts the gateway; `upstream` may be a function, so the app behind it can be
 * started afterwards with the gateway's URL as its public URL (email links,
 * payment return URLs), as it would be deployed.
 */
export async function startReshapedApp(
  upstream: string | (() => string),
  port = 0,
): Promise<{ url: string; server: Server }> {
  const upstreamUrl = typeof upstream === 'string' ? () => upstream : upstream
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://reshaped')
      const raw = await readBody(req)
      const upstream = upstreamUrl()
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v
      if (!url.pathname.startsWith('/api/v2/')) {
        // Webhooks and browser landings: the request untouched (signatures are over these bytes).
        const answer = await fetch(`${upstream}${url.pathname}${url.search}`, {
          method: req.method,
          headers,
          body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : new Uint8Array(raw),
          redirect: 'manual',
        })
        const type = answer.headers.get('content-type') ?? ''
        if (!type.includes('json') || answer.status < 400) {
          res.writeHead(answer.status, Object.fromEntries(answer.headers))
          res.end(Buffer.from(await answer.arrayBuffer()))
          return
        }
        // …but a refusal reads like every other refusal of this app.
        const { status, json } = reshapeError(answer.status, JSON.parse(await answer.text()))
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(json))
        return
      }
      const route = ROUTES.find(([pattern]) => pattern.test(url.pathname))!
      const path = url.pathname.replace(route[0], route[1])
      let method = req.method ?? 'GET'
      let body: unknown = raw.length ? rekey(JSON.parse(raw.toString()), camel) : undefined
      if (path === '/_test/clock' && method === 'PUT') {
        method = 'POST'
        body = { now: new Date(Number((body as { epochMs: number }).epochMs)).toISOString() }
      }
      if (path === '/v1/me/profile') method = 'PUT' // the reshaped app takes PATCH
      const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
      delete headers.cookie
      if (sid) headers.authorization = `Bearer ${decodeURIComponent(sid)}`
      const search = new URLSearchParams([...url.searchParams].map(([k, v]) => [camel(k), v]))
      const answer = await fetch(`${upstream}${path}${search.size ? `?${search}` : ''}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
      })
      const text = await answer.text()
      let json: unknown = text ? JSON.parse(text) : {}
      const out: Record<string, string> = { 'content-type': 'application/json' }
      let status: number = STATUS[answer.status] ?? answer.status
      if (answer.status >= 400) ({ status, json } = reshapeError(answer.status, json))
      else json = rekey(json, snake)
      const token = (json as { token?: string }).token
      if (path === '/v1/auth/otp/verify' && token) {
        out['set-cookie'] = `sid=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax`
        delete (json as { token?: string }).token
      }
      const retryAfter = answer.headers.get('retry-after')
      if (retryAfter) out['retry-after'] = retryAfter
      res.writeHead(status, out)
      res.end(JSON.stringify(json))
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ reason: 'GATEWAY', detail: (error as Error).message }] }))
    }
  })
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
  const { port: bound } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${bound}`, server }
}
