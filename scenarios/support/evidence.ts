/**
 * Evidence the journeys read from standin: where the journal stands now, and
 * when the app has acknowledged every delivery of a provider's events about
 * one object (the point after which "granted exactly once" can be checked).
 */
import type { StandinClient } from '../../simulators/core/control/client.ts'
import type { WebhookDelivery } from '../../simulators/core/webhooks/types.ts'
import type { AppFlows } from './flows.ts'

/** The journal's newest sequence number: entries after it are what happens next. */
export async function journalMark(standin: StandinClient): Promise<number> {
  return (await standin.journal.list({ limit: 1 })).lastSeq
}

/**
 * Waits until standin has delivered at least `copies` of the provider's events
 * naming `about` (an id in the payload; of `eventType` and `account` when
 * given) and the app acknowledged each with a 2xx; answers those deliveries.
 */
export async function waitForAcknowledged(
  app: AppFlows,
  standin: StandinClient,
  query: { provider: string; account?: string; eventType?: string; about: string; copies?: number },
): Promise<WebhookDelivery[]> {
  const copies = query.copies ?? 1
  return app.waitFor(
    () =>
      standin.webhooks.deliveries.list({
        provider: query.provider,
        payloadContains: query.about,
        ...(query.account ? { account: query.account } : {}),
        ...(query.eventType ? { eventType: query.eventType } : {}),
      }),
    (deliveries) => deliveries.length >= copies && deliveries.every((d) => d.status === 'delivered'),
    `${copies} ${query.provider} ${query.eventType ?? 'event'} deliveries about ${query.about} acknowledged by the app`,
  )
}
