/**
 * `standin gate`: reads what a run left (the journeys' verdict or Playwright
 * JSON/JUnit results, the mutation report, any other JUnit file such as a load
 * summary), prints a verdict per flow and overall, writes reports/summary.md,
 * and answers the exit code CI gates on.
 *
 * Which flows gate comes from `--gating` / `--non-gating`, else from a config
 * file (`standin.gate.json`, or `--config`), else every flow found gates.
 * @example
 * const run = runGate({ gating: ['payments', 'registration'] })
 * process.exitCode = run.exitCode
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { z } from 'zod'
import { type CheckResult, GateInputError, type Input, type InputKind, readInput } from './inputs.ts'
import { type GateVerdict, judge } from './judge.ts'
import { markdown, terminalText } from './summary.ts'

/** A file of results, or `file=flow` to put every check of it under one flow. */
const InputList = z.array(z.string().min(1)).default([])

export const GateConfig = z.strictObject({
  gating: z
    .union([z.literal('*'), z.array(z.string().min(1)).min(1)])
    .default('*')
    .describe("flows that gate the release; '*' for every flow found"),
  nonGating: z.array(z.string().min(1)).default([]).describe('flows reported but never gating'),
  inputs: z
    .strictObject({
      verdict: InputList.describe(
        'verdict.json files of the journeys (scenarios/support/verdict-reporter.ts)',
      ),
      playwrightJson: InputList.describe('Playwright JSON reports (results.json)'),
      junit: InputList.describe('JUnit XML files or folders of them; `file=flow` names their flow'),
      mutation: InputList.describe('mutation.json of `standin mutation`'),
    })
    .optional()
    .describe('where the results are; default: what a run leaves under reports/'),
  summary: z.string().min(1).default('reports/summary.md'),
})
export type GateConfig = z.infer<typeof GateConfig>

export interface GateOptions {
  /** Working directory the default paths are relative to. */
  cwd?: string
  config?: string
  gating?: string[] | '*'
  nonGating?: string[]
  verdict?: string[]
  playwrightJson?: string[]
  junit?: string[]
  mutation?: string[]
  summary?: string
}

export interface GateRun {
  verdict: GateVerdict
  exitCode: number
  text: string
  markdown: string
  summaryFile: string
}

export class GateConfigError extends Error {
  override name = 'GateConfigError'
}

export const DEFAULT_CONFIG_FILE = 'standin.gate.json'

function loadConfig(cwd: string, file: string | undefined): GateConfig {
  const path = resolve(cwd, file ?? DEFAULT_CONFIG_FILE)
  if (!existsSync(path)) {
    if (file) throw new GateConfigError(`Failed to read the gate config ${file}: no such file.`)
    return GateConfig.parse({})
  }
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new GateConfigError(
      `Failed to read the gate config ${relative(cwd, path)}: ${(error as Error).message}.`,
    )
  }
  const parsed = GateConfig.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? issue.keys : [])].join(
      '.',
    )
    throw new GateConfigError(
      `Invalid gate config ${relative(cwd, path)}: ${field || 'root'}: ${issue.message}.`,
    )
  }
  return parsed.data
}

/** `reports/load/junit.xml=load` → file and flow; a folder → every .xml in it. */
function expand(cwd: string, kind: InputKind, entries: string[]): Input[] {
  return entries.flatMap((entry) => {
    const at = entry.lastIndexOf('=')
    const file = at > 0 ? entry.slice(0, at) : entry
    const flow = at > 0 ? entry.slice(at + 1) : undefined
    const path = resolve(cwd, file)
    const files =
      kind === 'junit' && existsSync(path) && !path.endsWith('.xml')
        ? readdirSync(path, { recursive: true })
            .map(String)
            .filter((f) => f.endsWith('.xml'))
            .sort()
            .map((f) => join(path, f))
        : [path]
    return files.map((f) => ({ kind, file: f, ...(flow ? { flow } : {}) }))
  })
}

/**
 * What a run leaves when nothing is named: the journeys' verdict (else their JSON,
 * else their JUnit; one of the three, as they describe the same run), the mutation
 * report, and any JUnit file under reports/load/.
 */
function discover(cwd: string): Input[] {
  const at = (p: string) => resolve(cwd, p)
  const journeys = (['verdict.json', 'results.json', 'junit.xml'] as const)
    .map((name) => at(`reports/journeys/${name}`))
    .find(existsSync)
  const inputs: Input[] = []
  if (journeys)
    inputs.push({
      kind: journeys.endsWith('verdict.json')
        ? 'verdict'
        : journeys.endsWith('.json')
          ? 'playwright-json'
          : 'junit',
      file: journeys,
    })
  if (existsSync(at('reports/mutation.json')))
    inputs.push({ kind: 'mutation', file: at('reports/mutation.json') })
  if (existsSync(at('reports/load'))) inputs.push(...expand(cwd, 'junit', ['reports/load=load']))
  return inputs
}

export function runGate(options: GateOptions = {}): GateRun {
  const cwd = options.cwd ?? process.cwd()
  const config = loadConfig(cwd, options.config)
  const named = {
    verdict: options.verdict ?? config.inputs?.verdict ?? [],
    playwrightJson: options.playwrightJson ?? config.inputs?.playwrightJson ?? [],
    junit: options.junit ?? config.inputs?.junit ?? [],
    mutation: options.mutation ?? config.inputs?.mutation ?? [],
  }
  const explicit = [
    ...expand(cwd, 'verdict', named.verdict),
    ...expand(cwd, 'playwright-json', named.playwrightJson),
    ...expand(cwd, 'junit', named.junit),
    ...expand(cwd, 'mutation', named.mutation),
  ]
  const inputs = explicit.length > 0 || config.inputs ? explicit : discover(cwd)
  const results: CheckResult[] = []
  const problems: string[] = []
  if (inputs.length === 0)
    problems.push('no results found under reports/ (run the journeys first, or name the files)')
  for (const input of inputs) {
    try {
      const name = relative(cwd, input.file) || input.file
      const read = readInput({ ...input, name })
      if (read.length === 0) problems.push(`${name} holds no results`)
      results.push(...read)
    } catch (error) {
      if (!(error instanceof GateInputError)) throw error
      problems.push(error.message)
    }
  }
  const verdict = judge(
    results,
    {
      gating: options.gating ?? config.gating,
      nonGating: [...config.nonGating, ...(options.nonGating ?? [])],
    },
    problems,
  )
  const summaryFile = resolve(cwd, options.summary ?? config.summary)
  const md = markdown(verdict)
  mkdirSync(dirname(summaryFile), { recursive: true })
  writeFileSync(summaryFile, md)
  return {
    verdict,
    exitCode: verdict.blocked ? 1 : 0,
    text: terminalText(verdict),
    markdown: md,
    summaryFile,
  }
}
