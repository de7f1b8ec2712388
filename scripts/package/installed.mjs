// Run inside a scratch project where the packed standin tarball is installed
// (scripts/package/pack-test.sh): uses the package as a user's project would, by
// its public names only. Prints one line per check and `N passed, N failed`.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { setupServer } from 'msw/node'
import { StandinClient as RootClient, startHub, stripe, twilio } from 'standin'
import { StandinClient } from 'standin/client'
import { standinHandlers } from 'standin/msw'
import { StandinContainer } from 'standin/testcontainers'

let passed = 0
let failed = 0
async function check(name, body) {
  try {
    await body()
    passed++
    console.log(`  ✓ ${name}`)
  } catch (error) {
    failed++
    console.log(`  ✗ ${name}: ${error instanceof Error ? error.message : error}`)
  }
}
const expect = (ok, message) => {
  if (!ok) throw new Error(message)
}

await check('the entry points load (standin, standin/client, standin/msw, standin/testcontainers)', () => {
  expect(RootClient === StandinClient, 'standin and standin/client export different StandinClient classes')
  expect(typeof standinHandlers === 'function' && typeof startHub === 'function', 'missing exports')
  expect(typeof StandinContainer === 'function', 'StandinContainer is not a class')
})

await check('msw handlers answer the Stripe API in-process', async () => {
  const { handlers } = standinHandlers({
    providers: [stripe],
    baseUrls: { stripe: 'https://api.stripe.com' },
  })
  const server = setupServer(...handlers)
  server.listen({ onUnhandledRequest: 'error' })
  try {
    const response = await fetch('https://api.stripe.com/v1/payment_intents', {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_pack', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=500&currency=usd',
    })
    const body = await response.json()
    expect(
      response.status === 200 && body.object === 'payment_intent',
      `got ${response.status} ${JSON.stringify(body)}`,
    )
    expect(/^pi_/.test(body.id), `id ${body.id}`)
  } finally {
    server.close()
  }
})

await check('startHub in-process, driven by the client', async () => {
  const hub = await startHub({ log: 'silent', port: 0, providers: ['twilio'], ports: { twilio: 0 } })
  try {
    const client = new StandinClient({ url: hub.url })
    expect((await client.health()).status === 'ok', 'health not ok')
    const names = (await client.providers()).providers.map((p) => p.name)
    expect(names.includes(twilio.name), `providers: ${names}`)
  } finally {
    await hub.close()
  }
})

/** A port nothing listens on right now (the kernel picks it). */
const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })

/** `npx standin up` from this project, on free ports, then the client against it. */
await check('npx standin up runs the hub (no tsx installed) and the client drives it', async () => {
  const [port, stripePort] = [await freePort(), await freePort()]
  const child = spawn(
    'npx',
    [
      '--no-install',
      'standin',
      'up',
      '--port',
      String(port),
      '--providers',
      'stripe',
      '--stripe-port',
      String(stripePort),
      '--log',
      'silent',
    ],
    // Its own process group: npx does not pass SIGTERM on to the hub it runs, which outlived the test.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(code ?? signal)))
  try {
    const client = new StandinClient({ url: `http://127.0.0.1:${port}` })
    const up = await Promise.race([
      (async () => {
        for (;;) {
          if (/standin is up/.test(output)) return true
          await new Promise((r) => setTimeout(r, 100))
        }
      })(),
      exited.then((code) => {
        throw new Error(`standin up exited (${code}): ${output.slice(-400)}`)
      }),
      new Promise((_, fail) =>
        setTimeout(() => fail(new Error(`not up in 60 s: ${output.slice(-400)}`)), 60_000),
      ),
    ])
    expect(up, 'not up')
    const rule = await client.faults.add({
      match: { provider: 'stripe' },
      effect: { type: 'status', status: 503 },
    })
    const answer = await fetch(`http://127.0.0.1:${stripePort}/v1/customers`, {
      headers: { authorization: 'Bearer sk_test_pack' },
    })
    expect(answer.status === 503, `the fault was not applied: ${answer.status}`)
    await client.faults.remove(rule.id)
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // Already gone.
    }
    await exited
  }
})

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
