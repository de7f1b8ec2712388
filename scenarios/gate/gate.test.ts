import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GateConfigError, runGate } from './gate.ts'

const fixtures = resolve(import.meta.dirname, 'fixtures')
const scratch: string[] = []
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'standin-gate-'))
  scratch.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const flow = (run: ReturnType<typeof runGate>, name: string) => run.verdict.flows.find((f) => f.flow === name)

describe('standin gate', () => {
  it('blocks the release when a gating flow is red, and says which journey and why', () => {
    const out = tmp()
    const run = runGate({
      cwd: join(fixtures, 'red-gating'),
      verdict: ['verdict.json'],
      summary: join(out, 'summary.md'),
    })
    expect(run.exitCode).toBe(1)
    expect(run.verdict.status).toBe('red')
    expect(flow(run, 'payments')).toMatchObject({ status: 'red', gating: true })
    expect(flow(run, 'registration')?.status).toBe('green')
    const md = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(md).toContain('## Release gate: ❌ RED — release blocked')
    expect(md).toContain('| payments | ❌ RED | yes | 3 passed'.replace('3 passed', '1 passed'))
    expect(md).toContain('duplicate webhook grants credits once — expect(received).toBe(expected)')
    expect(run.text).toMatch(/RED\s+payments\s+gates/)
  })

  it('reports a flow the app does not support as not applicable, and it does not block', () => {
    const run = runGate({
      cwd: join(fixtures, 'red-gating'),
      verdict: ['verdict.json'],
      gating: ['registration', 'calls'],
      summary: join(tmp(), 'summary.md'),
    })
    expect(flow(run, 'calls')).toMatchObject({ status: 'not-applicable', gating: true })
    expect(run.verdict.status).toBe('green')
    expect(run.exitCode).toBe(0)
    expect(run.markdown).toContain('### Not applicable to this app')
    expect(run.markdown).toContain('billed per started minute — the profile declares no calls flow')
  })

  it('lets a red flow that does not gate through, from the config file, and still reports it red', () => {
    const out = tmp()
    const run = runGate({ cwd: join(fixtures, 'red-non-gating'), summary: join(out, 'summary.md') })
    expect(flow(run, 'matching')).toMatchObject({ status: 'red', gating: false })
    expect(run.verdict.status).toBe('green')
    expect(run.exitCode).toBe(0)
    expect(run.text).toMatch(/RED\s+matching\s+informs/)
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| matching | ❌ RED | no |')
  })

  it('--non-gating drops a flow from the gate even when every flow gates', () => {
    const dir = join(fixtures, 'red-gating')
    const summary = join(tmp(), 'summary.md')
    expect(runGate({ cwd: dir, verdict: ['verdict.json'], summary }).exitCode).toBe(1)
    const run = runGate({ cwd: dir, verdict: ['verdict.json'], nonGating: ['payments'], summary })
    expect(run.exitCode).toBe(0)
    expect(flow(run, 'payments')?.gating).toBe(false)
  })

  it('a gating flow with no results is not run, and blocks: a missing report never reads as a pass', () => {
    const run = runGate({
      cwd: join(fixtures, 'red-non-gating'),
      gating: ['registration', 'subscriptions'],
      mutation: ['mutation.json'],
      summary: join(tmp(), 'summary.md'),
    })
    expect(flow(run, 'subscriptions')).toMatchObject({ status: 'not-run', gating: true })
    expect(run.verdict.inputProblems).toEqual(['Failed to read mutation.json: no such file.'])
    expect(run.verdict.status).toBe('not-run')
    expect(run.exitCode).toBe(1)
    expect(run.markdown).toContain('- subscriptions: no input reported this flow')
  })

  it('with no results at all the verdict is not run and the gate fails', () => {
    const empty = tmp()
    const run = runGate({ cwd: empty })
    expect(run.verdict.status).toBe('not-run')
    expect(run.exitCode).toBe(1)
    expect(run.verdict.inputProblems[0]).toMatch(/no results found under reports\//)
    expect(readFileSync(join(empty, 'reports/summary.md'), 'utf8')).toContain('⚠️ NOT RUN')
  })

  it('a malformed input is named, not guessed at', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'verdict.json'), '{"verdict": "pass"')
    const run = runGate({ cwd: dir, verdict: ['verdict.json'] })
    expect(run.verdict.inputProblems).toEqual(['Failed to read verdict.json: not a JSON object.'])
    expect(run.exitCode).toBe(1)
  })

  it('reads JUnit from any tool: flows from the file path, not-applicable from the property, a load summary by name', () => {
    const run = runGate({
      cwd: join(fixtures, 'junit-and-load'),
      junit: ['junit.xml', 'load=load'],
      nonGating: ['load'],
      summary: join(tmp(), 'summary.md'),
    })
    expect(flow(run, 'gift-cards')).toMatchObject({ status: 'red', counts: { passed: 1, failed: 1 } })
    expect(flow(run, 'gift-cards')?.problems[0]?.reason).toBe(
      'gift-cards.spec.ts:40:5 expected 1 redemption & got 2',
    )
    expect(flow(run, 'subscriptions')).toMatchObject({
      status: 'green',
      counts: { passed: 1, 'not-applicable': 1 },
    })
    expect(flow(run, 'subscriptions')?.notApplicable[0]?.reason).toBe("the app's clock cannot be moved")
    expect(flow(run, 'load')).toMatchObject({
      status: 'red',
      gating: false,
      counts: { passed: 1, failed: 1 },
    })
    expect(flow(run, 'load')?.problems[0]?.reason).toBe('error rate 3.2% > 1%')
    expect(run.exitCode).toBe(1)
  })

  it('reads Playwright JSON and the mutation report: a surviving defect makes the mutation flow red', () => {
    const run = runGate({
      cwd: join(fixtures, 'mutation-survived'),
      playwrightJson: ['results.json'],
      mutation: ['mutation.json'],
      gating: ['registration'],
      summary: join(tmp(), 'summary.md'),
    })
    // The skipped journey did not run: the flow is not green, and it gates.
    expect(flow(run, 'registration')).toMatchObject({
      status: 'not-run',
      counts: { passed: 2, 'not-run': 1 },
    })
    expect(flow(run, 'mutation')).toMatchObject({
      status: 'red',
      gating: false,
      counts: { passed: 2, failed: 1 },
    })
    expect(flow(run, 'mutation')?.problems[0]?.title).toBe('defect otp-never-expires is caught')
    expect(run.exitCode).toBe(1)
  })

  it('finds what a run left under reports/ when nothing is named', () => {
    const dir = tmp()
    cpSync(join(fixtures, 'red-non-gating/verdict.json'), join(dir, 'reports/journeys/verdict.json'))
    cpSync(join(fixtures, 'mutation-survived/mutation.json'), join(dir, 'reports/mutation.json'))
    cpSync(join(fixtures, 'junit-and-load/load/smoke.xml'), join(dir, 'reports/load/smoke.xml'))
    const run = runGate({ cwd: dir })
    expect(run.verdict.flows.map((f) => f.flow).sort()).toEqual([
      'load',
      'matching',
      'mutation',
      'payments',
      'registration',
    ])
    expect(run.summaryFile).toBe(join(dir, 'reports/summary.md'))
  })

  it('a config file with a mistake is refused naming the field', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'standin.gate.json'), JSON.stringify({ gating: [], summry: 'x' }))
    expect(() => runGate({ cwd: dir })).toThrow(GateConfigError)
    expect(() => runGate({ cwd: dir })).toThrow(/standin.gate.json: (gating|summry)/)
    expect(() => runGate({ cwd: dir, config: 'nope.json' })).toThrow(
      'Failed to read the gate config nope.json: no such file.',
    )
  })
})
