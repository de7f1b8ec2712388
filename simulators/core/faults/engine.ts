import { HarnessError } from '../errors.ts'
import type { PlainResponse } from '../http.ts'
import type { ErrorCatalogue } from '../provider.ts'
import { createRandom, type Random } from '../random.ts'
import { countMatch, describeLimits } from '../rules/counting.ts'
import type { EffectDefinition, Phase } from './effects/effect.ts'
import { effects, type FaultEffect } from './effects/index.ts'
import { type CompiledMatch, compileMatch, type MatchSubject } from './matcher.ts'
import { type FaultRule, FaultRuleInput } from './schema.ts'

/** A wire effect that fired: the transport hands the connection to its renderers. */
export interface WireAction {
  kind: 'wire'
  phase: Phase
  effect: EffectDefinition
  params: unknown
}

export interface FaultVerdict {
  /** Real ms to wait before the provider handles the request (latency rules stack). */
  delayBeforeMs: number
  /** Real ms to wait after it handled the request, before answering. */
  delayAfterMs: number
  /** What replaces the provider's answer, when a terminal rule fired (the first one wins). */
  terminal?: { kind: 'respond'; response: PlainResponse } | WireAction
  /** A non-terminal wire effect (slow body) applied to whatever answers; the last one wins. */
  shape?: WireAction
  /** The rules that fired, first one first. */
  fired: { ruleId: string; effect: string; explanation: string }[]
}

interface Entry {
  seq: number
  rule: FaultRule
  effect: FaultEffect
  definition: EffectDefinition
  test: CompiledMatch
}

/**
 * One provider's rules, indexed so a request looks only at rules that can
 * match it: rules naming an exact path sit under that path; the rest are
 * checked one by one.
 */
class RuleSet {
  readonly byPath = new Map<string, Entry[]>()
  readonly unindexed: Entry[] = []
  size = 0

  add(entry: Entry) {
    const path = entry.rule.match.path
    if (path !== undefined && !path.includes(':') && !path.includes('*')) {
      const list = this.byPath.get(path) ?? []
      list.push(entry)
      this.byPath.set(path, list)
    } else this.unindexed.push(entry)
    this.size++
  }

  remove(id: string): boolean {
    for (const list of [this.unindexed, ...this.byPath.values()]) {
      const i = list.findIndex((e) => e.rule.id === id)
      if (i >= 0) {
        list.splice(i, 1)
        this.size--
        return true
      }
    }
    return false
  }

  all(): Entry[] {
    return [...this.unindexed, ...[...this.byPath.values()].flat()]
  }

  /** The rules that may match a path, in creation order. */
  candidates(path: string): Entry[] {
    const exact = this.byPath.get(path)
    if (!exact) return this.unindexed
    if (this.unindexed.length === 0) return exact
    return [...exact, ...this.unindexed].sort((a, b) => a.seq - b.seq)
  }
}

const NONE: FaultVerdict = Object.freeze({ delayBeforeMs: 0, delayAfterMs: 0, fired: [] }) as FaultVerdict

/**
 * The fault engine: rules as data, matched in creation order. Rules are
 * grouped by provider so a request only looks at rules that can apply to it.
 */
export class FaultEngine {
  private readonly byProvider = new Map<string, RuleSet>()
  private readonly anyProvider = new RuleSet()
  private readonly random: Random
  private seq = 0

  constructor(
    seed: number,
    private readonly catalogues: (provider: string) => ErrorCatalogue | undefined,
    private readonly now: () => number,
    /** The operations of one provider, or of every provider when none is named; undefined skips the check. */
    private readonly operations?: (provider: string | undefined) => readonly string[],
  ) {
    this.random = createRandom(seed)
  }

  /** Validates and stores a rule; a bad rule is refused with a 400 naming the field. */
  add(input: unknown): FaultRule {
    const parsed = FaultRuleInput.safeParse(input)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add fault rule: ${issue.path.join('.') || 'body'}: ${issue.message}.`,
        { field: issue.path.join('.') || 'body' },
      )
    }
    const value = parsed.data
    const match = value.match
    if (match.provider && !this.catalogues(match.provider))
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add fault rule: unknown provider '${match.provider}'.`,
        { field: 'match.provider' },
      )
    const definition = effects[value.effect.type]!
    const issue = definition.validate?.(value.effect, { match, catalogue: this.catalogues })
    if (issue)
      throw new HarnessError('STANDIN_BAD_REQUEST', `Failed to add fault rule: ${issue.message}.`, {
        field: issue.field,
      })
    if (match.operation !== undefined && this.operations) {
      const known = this.operations(match.provider)
      if (!known.includes(match.operation))
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Failed to add fault rule: unknown operation '${match.operation}'${match.provider ? ` for ${match.provider}` : ''}; the rule would never fire. GET /_standin/providers lists the operations.`,
          { field: 'match.operation' },
        )
    }
    for (const [source, conditions] of Object.entries({
      body: match.body,
      query: match.query,
      headers: match.headers,
    })) {
      for (const [path, condition] of Object.entries(conditions ?? {})) {
        if (typeof condition === 'object' && condition.regex !== undefined) {
          try {
            new RegExp(condition.regex)
          } catch {
            throw new HarnessError(
              'STANDIN_BAD_REQUEST',
              `Failed to add fault rule: invalid regex at match.${source}.${path}.`,
              {
                field: `match.${source}.${path}.regex`,
              },
            )
          }
        }
      }
    }
    const rule: FaultRule = {
      ...value,
      id: `fault_${(++this.seq).toString().padStart(4, '0')}`,
      createdAt: new Date(this.now()).toISOString(),
      seen: 0,
      fired: 0,
      explanation: '',
    }
    rule.explanation = explain(rule)
    const entry: Entry = { seq: this.seq, rule, effect: value.effect, definition, test: compileMatch(match) }
    if (match.provider) {
      let set = this.byProvider.get(match.provider)
      if (!set) {
        set = new RuleSet()
        this.byProvider.set(match.provider, set)
      }
      set.add(entry)
    } else this.anyProvider.add(entry)
    return rule
  }

  list(provider?: string): FaultRule[] {
    const all = [this.anyProvider, ...this.byProvider.values()].flatMap((set) => set.all()).map((e) => e.rule)
    const filtered = provider ? all.filter((r) => !r.match.provider || r.match.provider === provider) : all
    return filtered.sort((a, b) => a.id.localeCompare(b.id))
  }

  get(id: string): FaultRule | undefined {
    return this.list().find((r) => r.id === id)
  }

  remove(id: string): boolean {
    for (const set of [this.anyProvider, ...this.byProvider.values()]) if (set.remove(id)) return true
    return false
  }

  /** Removes every rule, or those scoped to one provider. */
  clear(provider?: string): number {
    if (provider === undefined) {
      const n = this.list().length
      this.byProvider.clear()
      this.anyProvider.unindexed.length = 0
      this.anyProvider.byPath.clear()
      this.anyProvider.size = 0
      return n
    }
    const n = this.byProvider.get(provider)?.size ?? 0
    this.byProvider.delete(provider)
    return n
  }

  /** Decides what the rules do to one request. Runs on every request: no allocation when nothing matches. */
  evaluate(subject: MatchSubject): FaultVerdict {
    const scoped = this.byProvider.get(subject.provider)
    if (!scoped?.size && this.anyProvider.size === 0) return NONE
    let verdict: FaultVerdict | undefined
    for (const set of [scoped, this.anyProvider]) {
      if (!set?.size) continue
      for (const entry of set.candidates(subject.path)) {
        if (verdict?.terminal && entry.definition.terminal) continue
        if (!entry.test(subject)) continue
        if (!countMatch(entry.rule, this.random)) continue
        verdict ??= { delayBeforeMs: 0, delayAfterMs: 0, fired: [] }
        apply(verdict, entry, { random: this.random, catalogue: this.catalogues(subject.provider) })
      }
    }
    return verdict ?? NONE
  }
}

function apply(
  verdict: FaultVerdict,
  entry: Entry,
  ctx: { random: Random; catalogue: ErrorCatalogue | undefined },
) {
  const definition = entry.definition
  const outcome = definition.apply(entry.effect, ctx)
  verdict.fired.push({
    ruleId: entry.rule.id,
    effect: entry.effect.type,
    explanation: entry.rule.explanation,
  })
  switch (outcome.kind) {
    case 'delay':
      if (outcome.phase === 'after') verdict.delayAfterMs += outcome.ms
      else verdict.delayBeforeMs += outcome.ms
      return
    case 'respond':
      verdict.terminal = outcome
      return
    case 'wire': {
      const wire: WireAction = {
        kind: 'wire',
        phase: outcome.phase,
        effect: definition,
        params: outcome.params,
      }
      if (definition.terminal) verdict.terminal = wire
      else verdict.shape = wire
    }
  }
}

/** "for POST /v1/payment_intents where metadata.order = o_81, respond insufficient_funds, 2 times (after 1)". */
export function explain(
  rule: Pick<FaultRule, 'match' | 'effect' | 'times' | 'after' | 'probability'>,
): string {
  const m = rule.match
  const scope = [m.provider ?? 'any provider', m.method, m.path ?? m.operation].filter(Boolean).join(' ')
  const where = [
    ...Object.entries(m.body ?? {}).map(([k, v]) => `${k} ${describeCondition(v)}`),
    ...Object.entries(m.query ?? {}).map(([k, v]) => `query ${k} ${describeCondition(v)}`),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `header ${k} ${describeCondition(v)}`),
    ...(m.account ? [`account = ${m.account}`] : []),
  ]
  const effect = effects[rule.effect.type]!.explain(rule.effect)
  return `for ${scope}${where.length ? ` where ${where.join(' and ')}` : ''}, ${effect}, ${describeLimits(rule)}`
}

function describeCondition(v: unknown): string {
  if (typeof v !== 'object' || v === null) return `= ${String(v)}`
  return Object.entries(v)
    .map(([k, x]) => `${k} ${JSON.stringify(x)}`)
    .join(', ')
}
