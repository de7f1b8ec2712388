/**
 * Before any journey: start the embedded default when nothing else is named,
 * check the target and the hub answer, register the app's webhook URLs with
 * standin, and put the app's clock on standin's virtual time.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { StandinClient } from '../../simulators/core/control/client.ts'
import { preflight } from '../run/journeys.ts'
import { Target } from '../target/target.ts'
import { readRunEnv } from './run-env.ts'

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  process.env.STANDIN_SEED ||= String(Date.now())
  let teardown: (() => Promise<void>) | undefined
  if (!process.env.STANDIN_HUB_URL && !process.env.STANDIN_PROFILE) {
    // No app named: the embedded default (hub + reference target), on ports of its own.
    const { startEmbedded } = await import('../../scripts/embedded.ts')
    const embedded = await startEmbedded({ ephemeral: true })
    process.env.STANDIN_HUB_URL = embedded.hubUrl
    process.env.STANDIN_TARGET_URL = embedded.targetUrl
    teardown = embedded.close
  }
  const run = readRunEnv()
  await prepareRun(run.profile, run.hubUrl)
  const out = resolve(import.meta.dirname, '../..', process.env.STANDIN_REPORTS ?? 'reports/journeys')
  mkdirSync(out, { recursive: true })
  writeFileSync(
    `${out}/run.json`,
    JSON.stringify(
      { profile: run.profile.name, target: run.profile.baseUrl, hub: run.hubUrl, seed: run.seed },
      null,
      2,
    ),
  )
  return teardown
}

/** Health of both sides, webhook endpoints, clocks in step. Throws a plain-words error naming the URL. */
export async function prepareRun(
  profile: import('../target/profile.ts').Profile,
  hubUrl: string,
): Promise<void> {
  await preflight(profile, hubUrl)
  const standin = new StandinClient({ url: hubUrl })
  // Register each webhook endpoint once (a rerun against the same hub replaces its own).
  for (const [provider, account] of Object.entries(profile.providers)) {
    if (!account?.webhook) continue
    const url = `${profile.baseUrl.replace(/\/$/, '')}${account.webhook.path}`
    for (const existing of await standin.webhooks.endpoints.list({ provider }))
      if (existing.url === url) await standin.webhooks.endpoints.remove(existing.id)
    await standin.webhooks.endpoints.add({
      provider,
      account: account.account,
      url,
      secret: account.webhook.secret,
    })
  }
  const target = new Target(profile)
  const { now, epochMs } = await standin.clock.get()
  if (target.hasStep('setClock')) await target.must('setClock', { now, nowMs: epochMs })
}
