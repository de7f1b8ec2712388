/**
 * The gate's readers: every result file a run can leave, each turned into the
 * same shape — one line per check (a journey, a JUnit test case, the mutation
 * run) with the flow it belongs to and its outcome. The gate judges that list
 * and never cares which tool wrote it, so a load run's JUnit file joins as is.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, posix, relative, resolve } from 'node:path'

export type Outcome = 'passed' | 'failed' | 'not-applicable' | 'not-run'

export interface CheckResult {
  flow: string
  title: string
  outcome: Outcome
  reason?: string
  /** The file it was read from, relative to the working directory. */
  source: string
}

export type InputKind = 'verdict' | 'playwright-json' | 'junit' | 'mutation'

export interface Input {
  kind: InputKind
  file: string
  /** Every check of this file belongs to this flow (a load summary: `--junit reports/load/junit.xml=load`). */
  flow?: string
  /** How the file is named in the verdict (default: relative to the working directory). */
  name?: string
}

/** A file that names itself wrongly or is not what it claims: the gate reports it, it never guesses. */
export class GateInputError extends Error {
  override name = 'GateInputError'
}

const NOT_APPLICABLE = 'not-applicable'

export function readInput(input: Input): CheckResult[] {
  const source = input.name ?? (relative(process.cwd(), resolve(input.file)) || input.file)
  if (!existsSync(input.file)) throw new GateInputError(`Failed to read ${source}: no such file.`)
  const text = readFileSync(input.file, 'utf8')
  const results =
    input.kind === 'junit'
      ? fromJunit(text, source)
      : input.kind === 'verdict'
        ? fromVerdict(json(text, source), source)
        : input.kind === 'playwright-json'
          ? fromPlaywrightJson(json(text, source), source)
          : fromMutation(json(text, source), source)
  return input.flow ? results.map((r) => ({ ...r, flow: input.flow! })) : results
}

function json(text: string, source: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text)
    if (value && typeof value === 'object') return value as Record<string, unknown>
  } catch {}
  throw new GateInputError(`Failed to read ${source}: not a JSON object.`)
}

/** scenarios/support/verdict-reporter.ts's verdict.json: flows and not-applicable are already decided there. */
function fromVerdict(value: Record<string, unknown>, source: string): CheckResult[] {
  if (!Array.isArray(value.journeys))
    throw new GateInputError(`Failed to read ${source}: no 'journeys' list (is it a verdict.json?).`)
  return (value.journeys as Record<string, unknown>[]).map((j) => ({
    flow: String(j.flow ?? 'other'),
    title: String(j.title ?? ''),
    outcome: outcomeOf(j.outcome),
    ...(typeof j.reason === 'string' ? { reason: j.reason } : {}),
    source,
  }))
}

function outcomeOf(value: unknown): Outcome {
  return value === 'passed' || value === 'failed' || value === NOT_APPLICABLE || value === 'not-run'
    ? value
    : 'failed'
}

interface PwSuite {
  title?: string
  file?: string
  specs?: PwSpec[]
  suites?: PwSuite[]
}
interface PwSpec {
  title: string
  file?: string
  tags?: string[]
  tests?: {
    annotations?: { type: string; description?: string }[]
    status?: string
    results?: { status?: string; error?: { message?: string } }[]
  }[]
}

/**
 * Playwright's JSON reporter. The flow is the tag naming one (`@payments`) when
 * `flows` lists it, else the folder the spec file sits in.
 */
function fromPlaywrightJson(value: Record<string, unknown>, source: string): CheckResult[] {
  if (!Array.isArray(value.suites))
    throw new GateInputError(`Failed to read ${source}: no 'suites' (is it Playwright's JSON report?).`)
  const out: CheckResult[] = []
  const walk = (suite: PwSuite, titles: string[]) => {
    const here = suite.file && titles.length === 0 ? [] : suite.title ? [...titles, suite.title] : titles
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests ?? []) {
        const na = test.annotations?.find((a) => a.type === NOT_APPLICABLE)
        const last = test.results?.at(-1)
        const outcome: Outcome = na
          ? NOT_APPLICABLE
          : test.status === 'skipped' || !last || last.status === 'skipped' || last.status === 'interrupted'
            ? 'not-run'
            : test.status === 'expected' || test.status === 'flaky'
              ? 'passed'
              : 'failed'
        out.push({
          flow: flowFromPath(spec.file ?? suite.file ?? ''),
          title: [...here, spec.title].join(' › '),
          outcome,
          ...(na?.description
            ? { reason: na.description }
            : outcome === 'failed' && last?.error?.message
              ? { reason: firstLine(last.error.message) }
              : {}),
          source,
        })
      }
    for (const child of suite.suites ?? []) walk(child, here)
  }
  for (const suite of value.suites as PwSuite[]) walk(suite, [])
  return out
}

/** `journeys/payments/stripe.spec.ts` → `payments`; `replays/webhooks.spec.ts` → `replays`; `load` → `load`. */
export function flowFromPath(path: string): string {
  const normal = path.split('\\').join('/')
  const dir = posix.basename(posix.dirname(normal))
  return dir && dir !== '.' ? dir : posix.basename(normal).replace(/\..*$/, '') || 'other'
}

function firstLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Playwright's messages carry ANSI colours
  return (text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? '').slice(0, 300)
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const decodeXml = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e.startsWith('#x') || e.startsWith('#X')
      ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (entities[e.toLowerCase()] ?? e),
  )
const attrs = (tag: string) =>
  Object.fromEntries([...tag.matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)].map((m) => [m[1]!, decodeXml(m[2]!)]))

/**
 * JUnit XML as Playwright, Locust (`--junit`-style summaries), pytest or
 * surefire write it: `<testcase>` with `<failure>`, `<error>` or `<skipped>`.
 * The flow is the folder of the case's file (classname or file attribute) when
 * it is a path, else the suite's name. A skipped case whose properties or
 * message say not-applicable is not applicable; any other skip was not run.
 */
function fromJunit(text: string, source: string): CheckResult[] {
  if (!/<testsuites?[\s>]/.test(text))
    throw new GateInputError(`Failed to read ${source}: no <testsuite> (is it a JUnit XML file?).`)
  const out: CheckResult[] = []
  for (const suite of text.matchAll(/<testsuite\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testsuite>)/g)) {
    const suiteAttrs = attrs(suite[1]!)
    const body = suite[2] ?? ''
    for (const testcase of body.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attrs(testcase[1]!)
      const inner = testcase[2] ?? ''
      const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(inner)
      const skipped = /<skipped\b([^>]*?)(?:\/>|>([\s\S]*?)<\/skipped>)/.exec(inner)
      const naProperty = new RegExp(`<property\\b[^>]*name="${NOT_APPLICABLE}"([^>]*)`).exec(inner)
      const skipMessage = skipped ? (attrs(skipped[1]!).message ?? decodeXml(skipped[2] ?? '')) : ''
      const notApplicable = Boolean(naProperty) || skipMessage.toLowerCase().includes('not applicable')
      const path = a.file ?? (a.classname?.includes('/') ? a.classname : undefined)
      const outcome: Outcome = failure
        ? 'failed'
        : notApplicable
          ? NOT_APPLICABLE
          : skipped
            ? 'not-run'
            : 'passed'
      const reason = failure
        ? firstLine(attrs(failure[2]!).message ?? decodeXml(failure[3] ?? '')) || failure[1]!
        : notApplicable
          ? (naProperty ? attrs(naProperty[0]).value : skipMessage) || undefined
          : undefined
      out.push({
        flow: path ? flowFromPath(path) : suiteAttrs.name || basename(dirname(source)) || 'other',
        title: a.name ?? '(unnamed test case)',
        outcome,
        ...(reason ? { reason } : {}),
        source,
      })
    }
  }
  return out
}

/** reports/mutation.json (scenarios/run/mutation.ts): one check for the clean run, one per defect. */
function fromMutation(value: Record<string, unknown>, source: string): CheckResult[] {
  const clean = value.clean as { ok?: boolean; failures?: string[] } | undefined
  if (!clean || !Array.isArray(value.defects))
    throw new GateInputError(`Failed to read ${source}: no 'clean' run or 'defects' (is it mutation.json?).`)
  const defects = value.defects as { defect: string; caught: boolean; caughtBy?: string[]; error?: string }[]
  return [
    {
      flow: 'mutation',
      title: 'clean run: every journey passes on the correct app',
      outcome: clean.ok ? 'passed' : 'failed',
      ...(clean.ok ? {} : { reason: clean.failures?.[0] ?? 'the clean run failed' }),
      source,
    },
    ...defects.map((d) => ({
      flow: 'mutation',
      title: `defect ${d.defect} is caught`,
      outcome: (d.caught ? 'passed' : 'failed') as Outcome,
      reason: d.caught
        ? `caught by ${d.caughtBy?.[0] ?? 'a journey'}`
        : (d.error ?? 'survived: no journey failed'),
      source,
    })),
  ]
}
