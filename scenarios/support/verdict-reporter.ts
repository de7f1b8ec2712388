/**
 * The verdict: one line per flow (passed, failed, not applicable), from each
 * journey's tags, printed at the end of the run and written as JSON for the
 * main job, the mutation run and the release gate. A journey the app does not
 * support is reported not applicable by name, never counted as passed.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter'
import { FLOWS } from '../target/steps.ts'

export type Outcome = 'passed' | 'failed' | 'not-applicable' | 'not-run'
export interface JourneyVerdict {
  title: string
  file: string
  flow: string
  tags: string[]
  outcome: Outcome
  reason?: string
}
export interface Verdict {
  verdict: 'pass' | 'fail'
  counts: Record<Outcome, number>
  flows: Record<string, Record<Outcome, number>>
  journeys: JourneyVerdict[]
}

const KNOWN_FLOWS = new Set<string>([...FLOWS, 'replays'])

export default class VerdictReporter implements Reporter {
  private readonly results = new Map<string, JourneyVerdict>()
  private suite?: Suite
  constructor(private readonly options: { outputFile?: string } = {}) {}

  onBegin(_config: FullConfig, suite: Suite): void {
    this.suite = suite
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const tags = test.tags.map((t) => t.replace(/^@/, ''))
    const na = test.annotations.find((a) => a.type === 'not-applicable')
    const outcome: Outcome = na
      ? 'not-applicable'
      : // Interrupted: stopped by --max-failures or Ctrl-C while another journey failed; it did not fail itself.
        result.status === 'skipped' || result.status === 'interrupted'
        ? 'not-run'
        : result.status === 'passed'
          ? 'passed'
          : 'failed'
    this.results.set(test.id, {
      title: test.titlePath().slice(3).join(' › '),
      file: test.location.file,
      flow: tags.find((t) => KNOWN_FLOWS.has(t)) ?? 'other',
      tags,
      outcome,
      reason: na?.description ?? (outcome === 'failed' ? result.error?.message?.split('\n')[0] : undefined),
    })
  }

  onEnd(result: FullResult): void {
    // A journey that never started (a failed dependency, --max-failures) is "not run", never silently absent.
    for (const test of this.suite?.allTests() ?? [])
      if (!this.results.has(test.id)) this.onTestEnd(test, { status: 'skipped' } as TestResult)
    const journeys = [...this.results.values()]
    const empty = (): Record<Outcome, number> => ({ passed: 0, failed: 0, 'not-applicable': 0, 'not-run': 0 })
    const counts = empty()
    const flows: Record<string, Record<Outcome, number>> = {}
    for (const j of journeys) {
      counts[j.outcome]++
      flows[j.flow] ??= empty()
      flows[j.flow]![j.outcome]++
    }
    const pass =
      result.status === 'passed' && counts.failed === 0 && counts['not-run'] === 0 && counts.passed > 0
    const verdict: Verdict = { verdict: pass ? 'pass' : 'fail', counts, flows, journeys }
    const lines = ['', 'journey verdict per flow:']
    for (const [flow, c] of Object.entries(flows).sort())
      lines.push(
        `  ${c.failed || c['not-run'] ? 'FAIL' : 'ok  '} ${flow.padEnd(14)} ${c.passed} passed, ${c.failed} failed${c['not-applicable'] ? `, ${c['not-applicable']} not applicable` : ''}${c['not-run'] ? `, ${c['not-run']} not run` : ''}`,
      )
    for (const j of journeys.filter((j) => j.outcome === 'not-applicable'))
      lines.push(`  not applicable: ${j.title} (${j.reason})`)
    lines.push(`  verdict: ${verdict.verdict.toUpperCase()}`, '')
    process.stdout.write(lines.join('\n'))
    if (this.options.outputFile) {
      mkdirSync(dirname(this.options.outputFile), { recursive: true })
      writeFileSync(this.options.outputFile, JSON.stringify(verdict, null, 2))
    }
  }

  printsToStdio(): boolean {
    return true
  }
}
