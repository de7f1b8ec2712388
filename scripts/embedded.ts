/**
 * The embedded default: every simulator (the hub) and the reference target
 * beside it, in this process, wired together: the target's provider base URLs
 * point at the hub's ports and its test clock is on, so journeys can move its
 * time with standin's. This is the only place the journeys' tooling knows the
 * reference target; the journeys themselves see it through its profile.
 */
import { buildReferenceApp } from '../reference-target/src/app.ts'
import { configFromEnv } from '../reference-target/src/config.ts'
import { startHub } from '../simulators/hub/hub.ts'
import { allProviders } from '../simulators/hub/providers.ts'

export interface Embedded {
  hubUrl: string
  targetUrl: string
  providerUrls: Record<string, string>
  databaseKind: string
  close(): Promise<void>
}

export const referenceProfilePath = 'scenarios/target/profiles/reference-target.json'

/** Starts hub + reference target; `ephemeral` lets the OS choose every port. */
export async function startEmbedded(
  options: { ephemeral?: boolean; defects?: string; publicUrl?: string } = {},
): Promise<Embedded> {
  const hub = await startHub({
    log: 'silent',
    ...(options.ephemeral
      ? { port: 0, ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])) }
      : {}),
  })
  const urls = hub.providerUrls
  let ref: Awaited<ReturnType<typeof buildReferenceApp>>
  try {
    const config = configFromEnv({
      LOG_LEVEL: 'warn',
      ...process.env,
      ...(options.ephemeral ? { PORT: '0' } : {}),
      REFERENCE_TEST_CLOCK: '1',
      ...(options.publicUrl ? { REFERENCE_PUBLIC_URL: options.publicUrl } : {}),
      REFERENCE_DEFECTS: options.defects ?? process.env.REFERENCE_DEFECTS ?? '',
      TWILIO_BASE_URL: urls.twilio,
      ALIGO_BASE_URL: urls.aligo,
      SENDGRID_BASE_URL: urls.sendgrid,
      STRIPE_BASE_URL: urls.stripe,
      RAZORPAY_BASE_URL: urls.razorpay,
      TOSS_BASE_URL: urls.toss,
    })
    ref = await buildReferenceApp(config)
  } catch (error) {
    await hub.close()
    throw error
  }
  const targetUrl = await ref.listen()
  return {
    hubUrl: hub.url,
    targetUrl,
    providerUrls: urls,
    databaseKind: ref.db.kind,
    close: async () => {
      await ref.close()
      await hub.close()
    },
  }
}
