import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AllureError, generateAllureReport } from './allure.ts'

const out = mkdtempSync(join(tmpdir(), 'standin-allure-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('standin report (Allure 3, offline)', () => {
  it('turns allure results into an HTML report that counts them', async () => {
    const report = await generateAllureReport({
      results: [resolve(import.meta.dirname, 'fixtures/allure-results')],
      out: join(out, 'report'),
    })
    expect(existsSync(join(report.out, 'index.html'))).toBe(true)
    const summary = JSON.parse(readFileSync(join(report.out, 'summary.json'), 'utf8'))
    expect(summary.stats).toMatchObject({ total: 2, passed: 1, failed: 1 })
    expect(summary.name).toBe('standin journeys')
  }, 60_000)

  it('without results it says so, naming the folder', async () => {
    await expect(generateAllureReport({ results: [join(out, 'nothing-here')] })).rejects.toThrow(AllureError)
    await expect(generateAllureReport({ results: [join(out, 'nothing-here')] })).rejects.toThrow(
      /no results in .*nothing-here\. Run the journeys first/,
    )
  })
})
