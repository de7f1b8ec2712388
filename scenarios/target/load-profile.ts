/**
 * Reads a profile file (JSON or YAML), validates it and answers the profile,
 * or a ProfileError whose message names the file, each bad field's path in
 * it, and what was expected there: never a stack trace.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { Profile } from './profile.ts'

export class ProfileError extends Error {
  readonly code = 'STANDIN_BAD_PROFILE'
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
}

/** One line per problem: `steps.buyCredits.path: must start with /`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const where = formatPath(issue.path)
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field (a typo?)`)
    if (issue.code === 'invalid_value' && 'values' in issue)
      return `${where}: ${issue.message} (one of ${(issue.values as unknown[]).join(', ')})`
    return `${where}: ${issue.message}`
  })
}

/** Validates an already-parsed profile; `source` names it in errors. */
export function parseProfile(data: unknown, source = 'profile'): Profile {
  const parsed = Profile.safeParse(data)
  if (!parsed.success)
    throw new ProfileError(
      `Failed to load the target profile ${source}:\n${describeIssues(parsed.error)
        .map((l) => `  - ${l}`)
        .join('\n')}`,
    )
  return parsed.data
}

export function loadProfile(file: string): Profile {
  const path = resolve(file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ProfileError(
      `Failed to read the target profile ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    )
  }
  let data: unknown
  try {
    data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    throw new ProfileError(`Failed to parse the target profile ${path}: ${(error as Error).message}`)
  }
  return parseProfile(data, path)
}
