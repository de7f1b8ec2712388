import { isoTime } from '../clock.ts'
import { HarnessError } from '../errors.ts'
import { compileMatch } from '../faults/matcher.ts'
import type { Random } from '../random.ts'
import { countMatch, describeLimits } from '../rules/counting.ts'
import {
  effectOrder,
  type WebhookEffect,
  type WebhookEffectDefinition,
  webhookEffects,
} from './effects/index.ts'
import { type WebhookRule, WebhookRuleInput } from './rules.ts'
import type { WebhookEvent } from './types.ts'

/** A rule that fired for one delivery, with the effect definition that carries it out. */
export interface FiredRule {
  ruleId: string
  effect: WebhookEffect
  definition: WebhookEffectDefinition
}

/** What one rule would do to one event, for the dashboard and the CLI. */
export interface RuleExplanation {
  ruleId: string
  /** Whether the rule's match accepts the event (its limits aside). */
  matches: boolean
  /** Why not, when it does not match; what it would do, when it does. */
  reason: string
  /** Whether it would fire on the next matching delivery, given `times` and `after` so far (a probability aside). */
  wouldFire: boolean
}

interface Entry {
  rule: WebhookRule
  definition: WebhookEffectDefinition
  testPayload: (payload: unknown) => boolean
}

/** Webhook rules in creation order: validated on add, matched and counted per delivery. */
export class WebhookRuleBook {
  private readonly entries: Entry[] = []
  private seq = 0

  constructor(
    private readonly options: {
      now: () => number
      /** Whether a provider sends webhooks (a rule naming another would never fire). */
      knows: (provider: string) => boolean
      /** The seeded stream `probability` draws from. */
      random: Random
    },
  ) {}

  add(input: unknown): WebhookRule {
    const parsed = WebhookRuleInput.safeParse(input)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const field = issue.path.join('.') || 'body'
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook rule: ${field}: ${issue.message}.`,
        {
          field,
        },
      )
    }
    const provider = parsed.data.match.provider
    if (provider !== undefined && !this.options.knows(provider))
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to add webhook rule: provider '${provider}' is unknown or sends no webhooks; the rule would never fire.`,
        { field: 'match.provider' },
      )
    const definition = webhookEffects.get(parsed.data.effect.type)!
    const rule: WebhookRule = {
      ...parsed.data,
      id: `whrule_${(++this.seq).toString().padStart(4, '0')}`,
      seen: 0,
      fired: 0,
      createdAt: isoTime(this.options.now()),
      explanation: '',
    }
    rule.explanation = explainRule(rule)
    const test = compileMatch({ body: rule.match.payload })
    const subject = {
      provider: '',
      operation: undefined,
      method: '',
      path: '',
      account: undefined,
      query: {},
      headers: {},
    }
    this.entries.push({ rule, definition, testPayload: (payload) => test({ ...subject, body: payload }) })
    return rule
  }

  list(): WebhookRule[] {
    return this.entries.map((e) => e.rule)
  }

  get size(): number {
    return this.entries.length
  }

  remove(id: string): boolean {
    const i = this.entries.findIndex((e) => e.rule.id === id)
    if (i >= 0) this.entries.splice(i, 1)
    return i >= 0
  }

  /** Removes every rule, or those scoped to one provider. */
  clear(provider?: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (provider === undefined || this.entries[i]!.rule.match.provider === provider)
        this.entries.splice(i, 1)
  }

  /**
   * The rules that fire for one delivery of `event`, in the order their effects act: every matching
   * rule counts the delivery as seen; those within their limits count it as fired.
   */
  fire(event: WebhookEvent): FiredRule[] {
    if (this.entries.length === 0) return []
    const fired: FiredRule[] = []
    for (const entry of this.entries) {
      if (mismatch(entry, event) !== undefined) continue
      if (!countMatch(entry.rule, this.options.random)) continue
      fired.push({ ruleId: entry.rule.id, effect: entry.rule.effect, definition: entry.definition })
    }
    if (fired.length > 1)
      fired.sort((a, b) => effectOrder.get(a.effect.type)! - effectOrder.get(b.effect.type)!)
    return fired
  }

  /** What every rule would do to `event`, counting nothing. */
  explain(event: WebhookEvent): RuleExplanation[] {
    return this.entries.map((entry) => {
      const why = mismatch(entry, event)
      const { times, after, seen, fired } = entry.rule
      const wouldFire =
        why === undefined &&
        (after === undefined || seen + 1 > after) &&
        (times === undefined || fired < times)
      return {
        ruleId: entry.rule.id,
        matches: why === undefined,
        reason: why ?? entry.rule.explanation,
        wouldFire,
      }
    })
  }
}

/** Why a rule's match refuses an event, or undefined when it accepts it. */
function mismatch(entry: Entry, event: WebhookEvent): string | undefined {
  const m = entry.rule.match
  if (m.provider && m.provider !== event.provider) return `provider is ${event.provider}, not ${m.provider}`
  if (m.account && m.account !== event.account) return `account is ${event.account}, not ${m.account}`
  if (m.eventType && !typeMatches(m.eventType, event.type))
    return `event type ${event.type} does not match ${m.eventType}`
  if (!entry.testPayload(event.payload)) return 'the payload does not meet match.payload'
  return undefined
}

export function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type
}

/** "for stripe payment_intent.* events where metadata.order = o_1, lose the first attempt in transit (…), 1 time". */
export function explainRule(
  rule: Pick<WebhookRule, 'match' | 'effect' | 'times' | 'after' | 'probability'>,
): string {
  const m = rule.match
  const scope = [m.provider ?? 'any provider', m.eventType ?? 'every', 'events'].join(' ')
  const where = [
    ...Object.entries(m.payload ?? {}).map(
      ([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : `= ${v}`}`,
    ),
    ...(m.account ? [`account = ${m.account}`] : []),
  ]
  const effect = webhookEffects.get(rule.effect.type)!.explain(rule.effect)
  return `for ${scope}${where.length ? ` where ${where.join(' and ')}` : ''}, ${effect}, ${describeLimits(rule)}`
}
