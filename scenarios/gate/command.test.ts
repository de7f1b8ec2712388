import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

// Each case starts the CLI (tsx) once: slow on a busy machine, never a hang.
vi.setConfig({ testTimeout: 150_000 })

const root = resolve(import.meta.dirname, '../..')
const fixtures = resolve(import.meta.dirname, 'fixtures')
const dir = mkdtempSync(join(tmpdir(), 'standin-gate-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const standin = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((done) => {
    execFile(
      // tsx from this project: the command runs in a scratch folder, as CI runs it in its own checkout.
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'simulators/hub/cli.ts'), ...args],
      { encoding: 'utf8', timeout: 120_000, cwd: dir },
      (error, out, err) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err }),
    )
  })

/** `standin gate` as CI runs it: the exit code is the verdict. */
describe('standin gate (the command)', () => {
  it('exits 1 on a red gating flow and 0 once that flow does not gate; the summary is written either way', async () => {
    const verdict = join(fixtures, 'red-gating/verdict.json')
    const red = await standin('gate', '--verdict', verdict, '--summary', 'out/summary.md')
    expect(red.code).toBe(1)
    expect(red.out).toMatch(/RED\s+payments\s+gates/)
    expect(red.out).toContain('verdict: RED (release blocked)')
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('release blocked')

    const informed = await standin(
      'gate',
      '--verdict',
      verdict,
      '--non-gating',
      'payments',
      '--summary',
      'out/summary.md',
    )
    expect(informed.code).toBe(0)
    expect(informed.out).toMatch(/RED\s+payments\s+informs/)
  })

  it('a config file with a mistake is one plain line and exit 2, not a stack', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ gating: 'payments' }))
    const run = await standin('gate', '--config', 'bad.json')
    expect(run.code).toBe(2)
    expect(run.err.trim()).toMatch(/^standin: Invalid gate config bad\.json: gating: /)
    expect(run.err).not.toContain('    at ')
  })
})
