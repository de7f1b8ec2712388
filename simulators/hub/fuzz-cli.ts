import { runFuzz } from './fuzz.ts'

/**
 * `npm run fuzz`: the large hostile-client run against a hub process
 * (FUZZ_REQUESTS, default 100,000; FUZZ_SEED, default 1; FUZZ_CONCURRENCY, default 32).
 * Prints each phase and the figures; exits 1 on any crash, unexpected 5xx, hang or unhealthy phase.
 */
const requests = Number(process.env.FUZZ_REQUESTS ?? 100_000)
const seed = Number(process.env.FUZZ_SEED ?? 1)
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 32)
const report = await runFuzz({
  requests,
  seed,
  concurrency,
  log: (line) => process.stdout.write(`  ${line}\n`),
})
const ok =
  report.crashes === 0 &&
  report.unexpected5xx === 0 &&
  report.hangs === 0 &&
  report.phases.every((p) => p.healthy)
process.stdout.write(
  `${[
    `requests        ${report.requests.toLocaleString('en')}`,
    `crashes         ${report.crashes}`,
    `unexpected 5xx  ${report.unexpected5xx}`,
    `hangs           ${report.hangs}`,
    `RSS             ${report.rssBeforeMb} MB before, ${report.rssAfterMb} MB after, ${report.rssPeakMb} MB peak`,
    `duration        ${(report.durationMs / 1000).toFixed(1)} s (seed ${seed}, ${concurrency} sockets at once)`,
    ...report.problems.map((p) => `problem: ${p}`),
    ok ? 'fuzz: passed' : 'fuzz: FAILED',
  ].join('\n')}\n`,
)
process.exit(ok ? 0 : 1)
