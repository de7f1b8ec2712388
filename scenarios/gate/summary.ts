/** The verdict in words: a table on the terminal and reports/summary.md for CI to post on the pull request. */
import type { FlowStatus, FlowVerdict, GateVerdict } from './judge.ts'

const label: Record<FlowStatus, string> = {
  green: 'green',
  red: 'RED',
  'not-applicable': 'not applicable',
  'not-run': 'NOT RUN',
}
const icon: Record<FlowStatus, string> = {
  green: '✅',
  red: '❌',
  'not-applicable': '➖',
  'not-run': '⚠️',
}

function countsText(f: FlowVerdict): string {
  const c = f.counts
  const parts = [`${c.passed} passed`, `${c.failed} failed`]
  if (c['not-applicable']) parts.push(`${c['not-applicable']} not applicable`)
  if (c['not-run']) parts.push(`${c['not-run']} not run`)
  if (!c.passed && !c.failed && !c['not-applicable'] && !c['not-run']) return 'no results'
  return parts.join(', ')
}

export function terminalText(verdict: GateVerdict): string {
  const width = Math.max(8, ...verdict.flows.map((f) => f.flow.length))
  const lines = ['', 'release gate:']
  for (const f of verdict.flows)
    lines.push(
      `  ${label[f.status].padEnd(14)} ${f.flow.padEnd(width)}  ${f.gating ? 'gates  ' : 'informs'}  ${countsText(f)}`,
    )
  for (const f of verdict.flows)
    for (const p of f.problems.slice(0, 5))
      lines.push(
        `  ${f.flow}: ${p.outcome === 'failed' ? 'failed' : 'not run'}: ${p.title}${p.reason ? ` — ${p.reason}` : ''}`,
      )
  for (const problem of verdict.inputProblems) lines.push(`  input: ${problem}`)
  lines.push(
    `  verdict: ${label[verdict.status].toUpperCase()}${verdict.blocked ? ' (release blocked)' : ''}`,
    '',
  )
  return lines.join('\n')
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function markdown(verdict: GateVerdict): string {
  const lines = [
    `## Release gate: ${icon[verdict.status]} ${label[verdict.status]}${verdict.blocked ? ' — release blocked' : ''}`,
    '',
    '| flow | verdict | gates | results |',
    '| --- | --- | --- | --- |',
    ...verdict.flows.map(
      (f) =>
        `| ${cell(f.flow)} | ${icon[f.status]} ${label[f.status]} | ${f.gating ? 'yes' : 'no'} | ${countsText(f)} |`,
    ),
    '',
  ]
  const failing = verdict.flows.filter((f) => f.problems.length > 0)
  if (failing.length) {
    lines.push('### What failed', '')
    for (const f of failing)
      for (const p of f.problems)
        lines.push(
          `- **${cell(f.flow)}** ${p.outcome === 'failed' ? 'failed' : 'not run'}: ${cell(p.title)}${p.reason ? ` — ${cell(p.reason)}` : ''}`,
        )
    lines.push('')
  }
  const na = verdict.flows.flatMap((f) => f.notApplicable)
  if (na.length) {
    lines.push('### Not applicable to this app', '')
    for (const n of na) lines.push(`- ${cell(n.title)}${n.reason ? ` — ${cell(n.reason)}` : ''}`)
    lines.push('')
  }
  const absent = verdict.flows.filter((f) => f.status === 'not-run' && f.counts['not-run'] === 0)
  if (absent.length || verdict.inputProblems.length) {
    lines.push('### Missing results', '')
    for (const f of absent) lines.push(`- ${cell(f.flow)}: no input reported this flow`)
    for (const p of verdict.inputProblems) lines.push(`- ${cell(p)}`)
    lines.push('')
  }
  const sources = [...new Set(verdict.flows.flatMap((f) => f.sources))]
  if (sources.length) lines.push(`<sub>read: ${sources.map((s) => `\`${s}\``).join(', ')}</sub>`, '')
  return lines.join('\n')
}
