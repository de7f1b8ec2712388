/**
 * `standin gate` and `standin report`: the release verdict CI gates on, and
 * the Allure HTML report of a run.
 */
import { relative } from 'node:path'
import type { Command } from 'commander'
import { AllureError, generateAllureReport } from './allure.ts'
import { DEFAULT_CONFIG_FILE, GateConfigError, runGate } from './gate.ts'
import { MergeError, mergeShardReports } from './merge.ts'

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
]
const collect = (value: string, previous: string[] = []) => [...previous, value]

export function registerGateCommands(program: Command): void {
  program
    .command('gate')
    .description(
      'Release verdict from what a run left: per flow green, red, not applicable or not run; writes reports/summary.md; exits 1 when a gating flow is red or did not run',
    )
    .option('--config <file>', `gate config (JSON; default ./${DEFAULT_CONFIG_FILE} when present)`)
    .option('--gating <flows>', "flows that gate, comma-separated ('*': every flow found; default)", list)
    .option('--non-gating <flows>', 'flows reported but never gating, comma-separated', list)
    .option('--verdict <file>', 'a journeys verdict.json (repeatable)', collect)
    .option('--results <file>', 'a Playwright JSON report, results.json (repeatable)', collect)
    .option(
      '--junit <file[=flow]>',
      'JUnit XML file or folder, any tool; =flow puts it under one flow (repeatable)',
      collect,
    )
    .option('--mutation <file>', 'the mutation report, mutation.json (repeatable)', collect)
    .option('--summary <file>', 'where the Markdown summary goes (default reports/summary.md)')
    .addHelpText(
      'after',
      `
With no inputs named, it reads reports/journeys/verdict.json (else results.json, else junit.xml),
reports/mutation.json and every JUnit file under reports/load/.

Examples:
  standin gate
  standin gate --gating registration,payments --non-gating replays
  standin gate --verdict reports/journeys/verdict.json --junit reports/load/junit.xml=load --mutation reports/mutation.json`,
    )
    .action(
      (options: {
        config?: string
        gating?: string[]
        nonGating?: string[]
        verdict?: string[]
        results?: string[]
        junit?: string[]
        mutation?: string[]
        summary?: string
      }) => {
        try {
          const gating = options.gating?.includes('*') ? '*' : options.gating
          const run = runGate({
            config: options.config,
            ...(gating ? { gating } : {}),
            nonGating: options.nonGating,
            verdict: options.verdict,
            playwrightJson: options.results,
            junit: options.junit,
            mutation: options.mutation,
            summary: options.summary,
          })
          process.stdout.write(`${run.text}  summary: ${relative(process.cwd(), run.summaryFile)}\n`)
          process.exitCode = run.exitCode
        } catch (error) {
          if (!(error instanceof GateConfigError)) throw error
          process.stderr.write(`standin: ${error.message}\n`)
          process.exitCode = 2
        }
      },
    )

  program
    .command('report')
    .description('Generate the Allure HTML report of a run, offline (Allure 3, no JVM, no download)')
    .option(
      '--results <dir>',
      'allure results folder (repeatable; default reports/journeys/allure-results)',
      collect,
    )
    .option('--out <dir>', 'where the report goes (default reports/allure-report)')
    .option('--name <title>', 'report title (default "standin journeys")')
    .addHelpText(
      'after',
      `
Examples:
  standin report
  standin report --results shard-1/allure-results --results shard-2/allure-results --out public/allure`,
    )
    .action(async (options: { results?: string[]; out?: string; name?: string }) => {
      try {
        const report = await generateAllureReport(options)
        process.stdout.write(
          `Allure report: ${relative(process.cwd(), report.out)}/index.html (from ${report.results.map((r) => relative(process.cwd(), r)).join(', ')})\n`,
        )
      } catch (error) {
        if (!(error instanceof AllureError)) throw error
        process.stderr.write(`standin: ${error.message}\n`)
        process.exitCode = 1
      }
    })

  program
    .command('merge-reports <blobs>')
    .description(
      "Merge the journeys' blob reports of several CI shards into one verdict.json, results.json, junit.xml and HTML report",
    )
    .option('--out <dir>', 'where the merged reports go (default reports/journeys)')
    .addHelpText(
      'after',
      `
Each shard leaves reports/journeys/blob/*.zip; copy them all into one folder, each under its own name.

Examples:
  standin merge-reports all-blobs
  standin merge-reports all-blobs --out reports/journeys && standin gate`,
    )
    .action(async (blobs: string, options: { out?: string }) => {
      try {
        const out = await mergeShardReports({ blobs, out: options.out })
        process.stdout.write(
          `merged reports: ${relative(process.cwd(), out) || '.'}/ (verdict.json, results.json, junit.xml, html/)\n`,
        )
      } catch (error) {
        if (!(error instanceof MergeError)) throw error
        process.stderr.write(`standin: ${error.message}\n`)
        process.exitCode = 1
      }
    })
}
