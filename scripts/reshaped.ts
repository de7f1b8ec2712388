/**
 * The journeys against an app of another API shape (snake_case, /api/v2
 * paths, a session cookie, other statuses and error codes, another clock
 * endpoint: scenarios/target/examples/reshaped-app.ts in front of the
 * reference target), adapted by its profile alone. Proves the adapter and the
 * journeys know no app. Prints the journeys' count line.
 */
import { runJourneys, tally } from '../scenarios/run/journeys.ts'
import { startReshapedApp } from '../scenarios/target/examples/reshaped-app.ts'
import { startEmbedded } from './embedded.ts'

// The gateway first, so the app behind it links to the gateway (its public URL), as deployed.
let upstream = ''
const reshaped = await startReshapedApp(() => upstream)
const embedded = await startEmbedded({ ephemeral: true, publicUrl: reshaped.url })
upstream = embedded.targetUrl
try {
  const run = await runJourneys({
    profile: 'scenarios/target/profiles/reshaped-example.json',
    hubUrl: embedded.hubUrl,
    targetUrl: reshaped.url,
    reports: 'reports/journeys-reshaped',
    grep: process.argv[2],
  })
  const { passed, failed, skipped } = tally(run)
  process.stdout.write(
    `\njourneys on another API shape (profiles/reshaped-example.json): ${passed} passed, ${failed} failed\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
  )
  process.exitCode = failed ? 1 : 0
} finally {
  reshaped.server.close()
  await embedded.close()
}
