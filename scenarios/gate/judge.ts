/**
 * The release verdict: checks grouped by flow, each flow green, red, not
 * applicable or not run, and the overall verdict from the flows that gate.
 * A gating flow that did not run fails the gate like a red one: a missing
 * report must never read as a pass.
 */
import type { CheckResult, Outcome } from './inputs.ts'

export type FlowStatus = 'green' | 'red' | 'not-applicable' | 'not-run'

export interface FlowVerdict {
  flow: string
  status: FlowStatus
  gating: boolean
  counts: Record<Outcome, number>
  /** The failed (and not run) checks, with their reasons. */
  problems: CheckResult[]
  notApplicable: CheckResult[]
  sources: string[]
}

export interface GateVerdict {
  status: FlowStatus
  /** Whether CI should stop the release: a gating flow is red or did not run. */
  blocked: boolean
  flows: FlowVerdict[]
  /** Inputs that could not be read (missing, malformed), in plain words. */
  inputProblems: string[]
}

export interface GatingRule {
  /** Flows that gate; `'*'` for every flow found. Flows named here but absent from the results are not run. */
  gating: string[] | '*'
  /** Flows that never gate, even under `'*'`. */
  nonGating?: string[]
}

const zero = (): Record<Outcome, number> => ({ passed: 0, failed: 0, 'not-applicable': 0, 'not-run': 0 })

export function flowStatus(counts: Record<Outcome, number>): FlowStatus {
  if (counts.failed > 0) return 'red'
  if (counts['not-run'] > 0) return 'not-run'
  if (counts.passed > 0) return 'green'
  return counts['not-applicable'] > 0 ? 'not-applicable' : 'not-run'
}

export function judge(results: CheckResult[], rule: GatingRule, inputProblems: string[] = []): GateVerdict {
  const byFlow = new Map<string, CheckResult[]>()
  for (const result of results) byFlow.set(result.flow, [...(byFlow.get(result.flow) ?? []), result])
  if (rule.gating !== '*') for (const flow of rule.gating) if (!byFlow.has(flow)) byFlow.set(flow, [])
  const nonGating = new Set(rule.nonGating ?? [])
  const gates = (flow: string) => !nonGating.has(flow) && (rule.gating === '*' || rule.gating.includes(flow))

  const flows: FlowVerdict[] = [...byFlow.entries()]
    .map(([flow, checks]) => {
      const counts = zero()
      for (const check of checks) counts[check.outcome]++
      return {
        flow,
        status: flowStatus(counts),
        gating: gates(flow),
        counts,
        problems: checks.filter((c) => c.outcome === 'failed' || c.outcome === 'not-run'),
        notApplicable: checks.filter((c) => c.outcome === 'not-applicable'),
        sources: [...new Set(checks.map((c) => c.source))],
      }
    })
    .sort((a, b) => Number(b.gating) - Number(a.gating) || a.flow.localeCompare(b.flow))

  const gating = flows.filter((f) => f.gating)
  const status: FlowStatus =
    gating.length === 0 || gating.every((f) => f.status === 'not-run' && f.counts['not-run'] === 0)
      ? 'not-run'
      : gating.some((f) => f.status === 'red')
        ? 'red'
        : gating.some((f) => f.status === 'not-run')
          ? 'not-run'
          : gating.every((f) => f.status === 'not-applicable')
            ? 'not-applicable'
            : 'green'
  return {
    status,
    blocked: status === 'red' || status === 'not-run',
    flows,
    inputProblems,
  }
}
