import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Core } from '../../runtime.ts'
import { LiveFeed } from './live.ts'

const ASSETS = resolve(import.meta.dirname, 'assets')
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
}

/**
 * Emails are shown in a sandboxed iframe (no scripts, no same origin); this
 * policy is the second wall: no script runs but the dashboard's own, while an
 * email's images and inline styles still render.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  'img-src * data:',
  "frame-src 'self' about: data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

/**
 * The dashboard: static HTML, CSS and JS modules (no framework, nothing built
 * or downloaded) at `/` and `/dashboard/*`, served without the control token
 * — they only show a token form until the API lets them in — and the live
 * feed at `<prefix>/events` (server-sent events), which the control plane's
 * token check covers like every other `<prefix>/` route.
 * @example registerDashboard(app, core, '/_standin')
 */
export function registerDashboard(app: FastifyInstance, core: Core, prefix: string): void {
  // Read once: a handful of small files, and a broken install fails at start, not on first view.
  const files = new Map(
    readdirSync(ASSETS)
      .filter((name) => TYPES[name.split('.').pop()!])
      .map((name) => [name, readFileSync(resolve(ASSETS, name), 'utf8')]),
  )
  const send = (name: string) => (_request: unknown, reply: FastifyReply) =>
    reply
      .type(TYPES[name.split('.').pop()!]!)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(files.get(name))
  app.get('/', send('index.html'))
  for (const name of files.keys()) app.get(`/dashboard/${name}`, send(name))

  const feed = new LiveFeed(core)
  app.get(`${prefix}/events`, (request, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ lastSeq: core.journal.lastSeq })}\n\n`)
    const unsubscribe = feed.subscribe((change) =>
      res.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`),
    )
    // A comment now and then keeps proxies from closing an idle stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
    keepAlive.unref()
    const close = () => {
      clearInterval(keepAlive)
      unsubscribe()
    }
    request.raw.on('close', close)
    res.on('error', close)
  })
}
