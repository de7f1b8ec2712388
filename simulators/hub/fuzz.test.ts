import { describe, expect, it } from 'vitest'
import { runFuzz } from './fuzz.ts'

/**
 * The bounded fuzz run of the default suite (issue 10): a hub process on
 * loopback takes a few thousand seeded hostile requests across every port and
 * phase (malformed and deep bodies, pollution keys, bad encodings, huge
 * headers and bodies, unknown routes and methods, pipelining, abrupt closes,
 * extreme control-plane values, a burst of sockets, slow clients). After each
 * phase it must be alive, healthy and still answer a valid request. The
 * 100,000-request run is `npm run fuzz`.
 */
describe('fuzz', () => {
  it('a hostile client cannot crash, wedge or bloat the hub', async () => {
    const report = await runFuzz({ requests: 2_500, seed: 10, concurrency: 24 })
    expect(report.problems).toEqual([])
    expect(report.crashes).toBe(0)
    expect(report.unexpected5xx).toBe(0)
    expect(report.hangs).toBe(0)
    expect(report.phases.map((p) => [p.phase, p.healthy])).toEqual(report.phases.map((p) => [p.phase, true]))
    expect(report.requests).toBeGreaterThanOrEqual(2_500)
    // Bounded memory: the journal keeps 64 MiB at most, so the hub stays far below a gigabyte.
    expect(report.rssPeakMb).toBeLessThan(1024)
  }, 120_000)
})
