/**
 * One side of the core-overhead benchmark, in its own process (as the hub
 * runs): `core` serves the testkit provider through the whole core with 100
 * fault rules that do not match; `bare` is a bare fastify route answering the
 * same body. Prints the port, then serves until killed.
 */
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { startProviders } from '../simulators/core/testing.ts'
import { testkit } from '../simulators/testkit/index.ts'

const mode = process.argv[2]
if (mode === 'bare') {
  const app = Fastify({ logger: false })
  app.post('/v1/echo', async (request) => ({ object: 'echo', name: (request.body as { name: string }).name }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`)
} else if (mode === 'core') {
  const sims = await startProviders([testkit], { journalSize: 10_000 })
  for (let i = 0; i < 100; i++) {
    sims.core.faults.add({
      match: {
        provider: 'testkit',
        method: 'POST',
        path: `/v1/other/${i}`,
        body: { 'metadata.order_id': `o_${i}` },
      },
      effect: { type: 'status', status: 503 },
    })
  }
  process.stdout.write(`${sims.port('testkit')}\n`)
} else {
  process.stderr.write('usage: bench-server.ts core|bare\n')
  process.exit(2)
}

// Exit through process.exit so `--cpu-prof` can write its profile when the benchmark stops this process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0))
