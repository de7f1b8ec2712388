/**
 * One server of `npm run bench`, in its own process (as the hub runs), so the
 * benchmark can read that process's CPU time and RSS from /proc:
 *
 * - `hub`: the real hub (every provider, each on a free port, journal on,
 *   silent log, rate limits raised). Sends `{ ready, urls }` to the parent
 *   over IPC; answers the message `memory` with the heap after a GC.
 * - `bare <routes.json> [µs]`: bare fastify answering each route with the status,
 *   content type and body the hub answered (captured by the parent), after
 *   parsing the request body as fastify would (JSON, or the form as a string);
 *   given µs, it first spins that long on the CPU (`--calibrate`).
 * - `mockttp <routes.json>`: mockttp's server with one stub per route.
 *
 * `--before` runs this same file from an extracted older commit, so it only
 * uses what the hub offered then (`startHub`).
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { parse as parseQuery } from 'node:querystring'
import Fastify from 'fastify'

export interface StubRoute {
  method: string
  path: string
  status: number
  contentType: string
  body: string
}

const [mode, routesFile, burnArg] = process.argv.slice(2)
const send = (message: unknown) => process.send?.(message)

if (mode === 'hub') {
  const { startHub } = await import('../simulators/hub/hub.ts')
  const { allProviders } = await import('../simulators/hub/providers.ts')
  const ports = Object.fromEntries(allProviders.map((p) => [p.name, 0]))
  const { raiseLimits } = await import('./bench/endpoints.ts')
  const hub = await startHub({ port: 0, ports, log: 'silent' })
  await raiseLimits(hub.core)
  // The growth run asks for the heap after a full collection (needs --expose-gc).
  process.on('message', (message) => {
    if (message !== 'memory') return
    globalThis.gc?.()
    send({ memory: process.memoryUsage() })
  })
  send({ ready: true, urls: hub.providerUrls, control: hub.url })
} else if (mode === 'bare') {
  const routes = JSON.parse(readFileSync(routesFile!, 'utf8')) as StubRoute[]
  const burnMs = Number(burnArg ?? 0) / 1000
  const app = Fastify({ logger: false })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseQuery(body as string)),
  )
  for (const route of routes) {
    app.route({
      method: route.method as 'POST',
      url: route.path,
      handler: (_request, reply) => {
        // A busy wait, not a sleep: the point is CPU the server spends, as a simulator's work is.
        for (const until = performance.now() + burnMs; performance.now() < until; );
        reply.code(route.status).type(route.contentType).send(route.body)
      },
    })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  send({ ready: true, port: (app.server.address() as AddressInfo).port })
} else if (mode === 'mockttp') {
  const routes = JSON.parse(readFileSync(routesFile!, 'utf8')) as StubRoute[]
  // mockttp is installed beside the project, not in it (see PEERS_DIR in scripts/bench/servers.ts).
  const { createRequire } = await import('node:module')
  const peers = createRequire(`${process.cwd()}/.tools/bench-peers/package.json`)
  // biome-ignore lint/suspicious/noExplicitAny: a peer outside the project, untyped here
  const mockttp: any = await import(peers.resolve('mockttp'))
  const server = mockttp.getLocal()
  await server.start()
  for (const route of routes) {
    await server
      .forPost(route.path)
      // With headers given, mockttp sends none it would have added: without a length the body ends
      // at the connection's close, which a keep-alive load generator never sees.
      .thenReply(route.status, route.body, {
        'content-type': route.contentType,
        'content-length': String(Buffer.byteLength(route.body)),
      })
  }
  send({ ready: true, port: server.port })
} else {
  process.stderr.write('usage: bench-server.ts hub | bare <routes.json> | mockttp <routes.json>\n')
  process.exit(2)
}

// Exit through process.exit so `--cpu-prof` can write its profile when the benchmark stops this process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0))
