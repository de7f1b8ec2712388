/**
 * The journeys' commands of the `standin` CLI: `journeys`, `profile check`,
 * `profile schema` and `mutation`. Mistakes in a profile or an unreachable app
 * are printed in plain words (the file, the field, the URL), never as a stack.
 */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { registerGateCommands } from './gate/command.ts'
import { preflight, runJourneys } from './run/journeys.ts'
import { runMutation, summarize } from './run/mutation.ts'
import { checkProfile } from './target/check.ts'
import { loadProfile, ProfileError } from './target/load-profile.ts'
import { profileJsonSchema } from './target/profile.ts'

const int = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new ProfileError(`Expected a whole number ≥ 1, got '${value}'.`)
  return n
}

/** Runs a command body; a known error becomes one plain line and exit code 2. */
const plain =
  <A extends unknown[]>(body: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    try {
      process.exitCode = await body(...args)
    } catch (error) {
      const e = error as Error & { code?: string }
      if (e instanceof ProfileError || e.code?.startsWith('STANDIN_')) {
        process.stderr.write(`standin: ${e.message}\n`)
        process.exitCode = 2
        return
      }
      throw error
    }
  }

export function registerScenarioCommands(program: Command): void {
  registerGateCommands(program)
  program
    .command('journeys')
    .description(
      'Run the journeys against an app described by a target profile (default: the embedded reference target, started for the run)',
    )
    .option('--profile <file>', 'target profile (JSON or YAML) of the app under test')
    .option('--hub <url>', "the standin hub the app uses (default: the profile's hubUrl)")
    .option('--target <url>', "the app's base URL (default: the profile's baseUrl)")
    .option('--grep <pattern>', 'only journeys whose title or tags match, e.g. @payments or @stripe')
    .option('--workers <n>', 'parallel workers', int)
    .option('--shard <i/n>', 'run shard i of n (CI fan-out)')
    .option('--seed <seed>', 'data seed: a failing run replays with the same people and numbers')
    .action(
      plain(
        async (options: {
          profile?: string
          hub?: string
          target?: string
          grep?: string
          workers?: number
          shard?: string
          seed?: string
        }) => {
          if (options.profile) {
            // Fail early, in plain words: a bad field, an unreachable hub or app is named before Playwright starts.
            const loaded = loadProfile(options.profile)
            await preflight(
              { ...loaded, baseUrl: options.target ?? loaded.baseUrl },
              options.hub ?? loaded.hubUrl,
            )
          }
          const run = await runJourneys({
            profile: options.profile,
            hubUrl: options.hub,
            targetUrl: options.target,
            grep: options.grep,
            workers: options.workers,
            shard: options.shard,
            seed: options.seed,
          })
          process.stdout.write(
            `reports: ${run.reports}/ (html/index.html, junit.xml, results.json, allure-results/, verdict.json)\n`,
          )
          return run.exitCode === 0 && run.verdict?.verdict === 'pass' ? 0 : 1
        },
      ),
    )

  const profile = program.command('profile').description('Target profiles: check one, print the JSON Schema')
  profile
    .command('check <file>')
    .description("Validate a profile and probe the app it describes (health, every declared step's route)")
    .option('--target <url>', "the app's base URL (default: the profile's baseUrl)")
    .action(
      plain(async (file: string, options: { target?: string }) => {
        const loaded = loadProfile(file)
        const checked = await checkProfile({ ...loaded, baseUrl: options.target ?? loaded.baseUrl })
        for (const line of checked)
          process.stdout.write(`${line.ok ? 'ok  ' : 'FAIL'} ${line.what}: ${line.detail}\n`)
        const bad = checked.filter((l) => !l.ok).length
        process.stdout.write(
          bad
            ? `${bad} problem(s) with ${file}\n`
            : `${file}: valid, and the app answers every declared step\n`,
        )
        return bad ? 1 : 0
      }),
    )
  profile
    .command('schema')
    .description('Print the JSON Schema of target profiles (for editors: "$schema" in the profile)')
    .option('--out <file>', 'write it to a file instead')
    .action(
      plain(async (options: { out?: string }) => {
        const text = `${JSON.stringify(profileJsonSchema(), null, 2)}\n`
        if (options.out) writeFileSync(options.out, text)
        else process.stdout.write(text)
        return 0
      }),
    )

  program
    .command('mutation')
    .description(
      'Prove the journeys can fail: start the app clean (all must pass), then once per defect (some journey must fail)',
    )
    .requiredOption('--profile <file>', 'target profile of the app')
    .requiredOption(
      '--start <command>',
      'shell command that starts the app (gets PORT, STANDIN_HUB_URL, STANDIN_<PROVIDER>_URL)',
    )
    .requiredOption('--defects-env <VAR>', 'the environment variable that switches a defect on')
    .requiredOption('--defects <a,b,c>', 'the defects to try, comma-separated')
    .option('--hub <url>', 'a running hub (default: one started for the run)')
    .option('--target-url <url>', 'where the started app listens (default: http://127.0.0.1:$PORT)')
    .option('--workers <n>', 'parallel workers per run', int)
    .option('--lanes <n>', 'defects tried side by side, each with its own hub and app (default 2)', int)
    .option('--grep <pattern>', 'only these journeys')
    .action(
      plain(
        async (options: {
          profile: string
          start: string
          defectsEnv: string
          defects: string
          hub?: string
          targetUrl?: string
          workers?: number
          lanes?: number
          grep?: string
        }) => {
          loadProfile(options.profile)
          const defects = options.defects
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean)
          if (!defects.length) throw new ProfileError('--defects names no defect.')
          const report = await runMutation({ ...options, hubUrl: options.hub, defects })
          process.stdout.write(summarize(report))
          return report.ok ? 0 : 1
        },
      ),
    )
}
