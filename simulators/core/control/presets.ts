import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { HarnessError } from '../errors.ts'
import { FaultRuleInput } from '../faults/schema.ts'
import { WebhookRuleInput } from '../webhooks/rules.ts'

/**
 * A preset: a named bundle of fault and webhook rules kept as JSON in
 * `scenarios/presets/`. Strings may hold `${var}` placeholders, filled from
 * the vars given when it is applied (an order id, a phone number), so one
 * preset can be scoped to one test's data.
 */
export const Preset = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  description: z.string(),
  vars: z.record(z.string(), z.string()).default({}).describe('placeholder → description'),
  faults: z.array(z.unknown()).default([]),
  webhookRules: z.array(z.unknown()).default([]),
})
export type Preset = z.infer<typeof Preset>

export async function loadPresets(dir: string): Promise<Map<string, Preset>> {
  const presets = new Map<string, Preset>()
  let files: string[]
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()
  } catch {
    return presets
  }
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8')
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new HarnessError(
        'STANDIN_BAD_CONFIG',
        `Failed to load preset ${file}: ${(error as Error).message}. Fix the JSON.`,
      )
    }
    const parsed = Preset.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new HarnessError(
        'STANDIN_BAD_CONFIG',
        `Failed to load preset ${file}: ${issue.path.join('.')}: ${issue.message}.`,
      )
    }
    if (`${parsed.data.name}.json` !== file)
      throw new HarnessError(
        'STANDIN_BAD_CONFIG',
        `Failed to load preset ${file}: its name is '${parsed.data.name}'; name the file after it.`,
      )
    // Validate the rules with placeholder vars now, so a broken preset fails at start, not mid-test.
    const sample = fill(
      parsed.data,
      Object.fromEntries(Object.keys(parsed.data.vars).map((k) => [k, `sample-${k}`])),
    )
    for (const [i, rule] of sample.faults.entries()) check(FaultRuleInput, rule, `${file} faults[${i}]`)
    for (const [i, rule] of sample.webhookRules.entries())
      check(WebhookRuleInput, rule, `${file} webhookRules[${i}]`)
    presets.set(parsed.data.name, parsed.data)
  }
  return presets
}

function check(schema: z.ZodType, value: unknown, where: string) {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new HarnessError(
      'STANDIN_BAD_CONFIG',
      `Failed to load preset: ${where}.${issue.path.join('.')}: ${issue.message}.`,
    )
  }
}

/** The preset's rules with every `${var}` replaced; a missing var is a 400 naming it. */
export function fill(
  preset: Preset,
  vars: Record<string, string>,
): { faults: unknown[]; webhookRules: unknown[] } {
  for (const name of Object.keys(preset.vars)) {
    if (vars[name] === undefined)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to apply preset '${preset.name}': missing var '${name}' (${preset.vars[name]}).`,
        {
          field: `vars.${name}`,
        },
      )
  }
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => vars[name] ?? whole)
    if (Array.isArray(value)) return value.map(replace)
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]))
    return value
  }
  return { faults: preset.faults.map(replace), webhookRules: preset.webhookRules.map(replace) }
}
