/**
 * The main job on the embedded default: every simulator and the control plane
 * on their ports, the reference target beside them (embedded database, no
 * Docker), wired together, each checked, and a table of where everything
 * listens, then one smoke flow across them (SMS sign-up through both SMS
 * providers, credits bought with Stripe and granted by its signed webhook).
 * Serves until Ctrl-C; `--once` (or CI=true) checks and exits.
 *
 * The journeys are not built yet; when they are, this job runs them here.
 */
import { buildReferenceApp } from '../reference-target/src/app.ts'
import { configFromEnv } from '../reference-target/src/config.ts'
import { StandinClient } from '../simulators/core/control/client.ts'
import { startHub } from '../simulators/hub/hub.ts'
import { allProviders } from '../simulators/hub/providers.ts'

const once = process.argv.includes('--once') || process.env.CI === 'true'
// --ephemeral: every port chosen by the OS, so the job can run beside a hub already on the default ports (npm test does).
const ephemeral = process.argv.includes('--ephemeral')

const hub = await startHub({
  log: 'silent',
  ...(ephemeral ? { port: 0, ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])) } : {}),
})
// The reference target talks to the providers wherever the hub put them.
const urls = hub.providerUrls
const refConfig = configFromEnv({
  LOG_LEVEL: 'warn',
  ...process.env,
  ...(ephemeral ? { PORT: '0' } : {}),
  TWILIO_BASE_URL: urls.twilio,
  ALIGO_BASE_URL: urls.aligo,
  SENDGRID_BASE_URL: urls.sendgrid,
  STRIPE_BASE_URL: urls.stripe,
  RAZORPAY_BASE_URL: urls.razorpay,
  TOSS_BASE_URL: urls.toss,
})
const ref = await buildReferenceApp(refConfig)
const refUrl = await ref.listen()
// Providers whose webhook endpoints live in a dashboard get them by config, for every account ('*').
for (const [provider, secret] of [
  ['stripe', refConfig.stripe.webhookSecret],
  ['razorpay', refConfig.razorpay.webhookSecret],
  ['toss', undefined],
  ['sendgrid', undefined],
] as const) {
  hub.core.webhooks.addEndpoint({
    provider,
    account: '*',
    url: `${refUrl}/webhooks/${provider}`,
    secret,
    source: 'config',
  })
}

const checks: [string, string, boolean, string][] = []
async function check(name: string, url: string, ok: (status: number) => boolean) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
    checks.push([name, url, ok(response.status), `HTTP ${response.status}`])
  } catch (error) {
    checks.push([name, url, false, (error as Error).message])
  }
}
const standin = new StandinClient({ url: hub.url })
const health = await standin.health()
checks.push(['control plane', `${hub.url}/_standin`, health.status === 'ok', `seed ${health.seed}`])
// A provider answers an unknown path in its own words (4xx), which proves it is up and routing.
for (const [name, url] of Object.entries(hub.providerUrls)) await check(name, url, (s) => s >= 200 && s < 500)
await check('reference target', `${refUrl}/openapi.json`, (s) => s === 200)

/**
 * A smoke flow through everything: sign up by SMS (a US number goes through
 * Twilio, a Korean one through Aligo; the code is read from standin's inbox),
 * then buy credits with Stripe and wait for the signed webhook to grant them.
 */
async function smokeFlow(): Promise<void> {
  const call = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
    const response = await fetch(`${refUrl}${path}`, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(15_000),
    })
    const body = (await response.json().catch(() => ({}))) as { token?: string; balance?: number }
    return { status: response.status, body }
  }
  const signUp = async (phone: string, via: string) => {
    const started = await call('/v1/auth/otp', { body: { phone } })
    const { code, message } = await standin.messages.code({ to: phone, timeoutMs: 10_000 })
    const verified = await call('/v1/auth/otp/verify', { body: { phone, code } })
    const ok = started.status === 202 && verified.status === 200 && message.provider === via
    checks.push([
      `sign-up by SMS (${via})`,
      phone,
      ok,
      `OTP ${code} via ${message.provider}, verify HTTP ${verified.status}`,
    ])
    return verified.body.token
  }
  const token = await signUp('+14155550142', 'twilio')
  await signUp('+821055500142', 'aligo')
  if (!token) return
  const bought = await call('/v1/payments', {
    token,
    body: { packageId: 'small', provider: 'stripe', paymentMethodId: 'pm_card_visa' },
  })
  let balance = 0
  for (let i = 0; i < 50 && balance === 0; i++) {
    balance = (await call('/v1/credits', { token })).body.balance ?? 0
    if (balance === 0) await new Promise((r) => setTimeout(r, 200))
  }
  checks.push([
    'credits via Stripe + webhook',
    `${refUrl}/v1/payments`,
    bought.status === 201 && balance === 50,
    `payment HTTP ${bought.status}, balance ${balance}`,
  ])
}
try {
  await smokeFlow()
} catch (error) {
  checks.push(['smoke flow', refUrl, false, (error as Error).message])
}

const width = Math.max(...checks.map(([n]) => n.length))
process.stdout.write(
  [
    '',
    'standin main job (embedded default: simulators + reference target, no Docker)',
    ...checks.map(
      ([name, url, ok, note]) => `  ${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(width)}  ${url}  (${note})`,
    ),
    `  dashboard: ${hub.url}/   reference target database: ${ref.db.kind}`,
    '  journeys: not built yet (a later issue runs them here)',
    '',
  ].join('\n'),
)
const failed = checks.filter(([, , ok]) => !ok).length
process.stdout.write(`${checks.length - failed} passed, ${failed} failed\n`)

async function stop(code: number) {
  await ref.close()
  await hub.close()
  process.exit(code)
}
if (once || failed > 0) await stop(failed > 0 ? 1 : 0)
else {
  process.stdout.write('serving; Ctrl-C to stop\n')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0))
}
