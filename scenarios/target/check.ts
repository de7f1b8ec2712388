/**
 * `standin profile check`: the profile is valid (loadProfile throws otherwise)
 * and the app it describes answers: its health path, and every declared step's
 * route with something other than "no such route". Answers plain-words lines.
 */
import type { Profile } from './profile.ts'
import { STEPS, type StepName } from './steps.ts'
import { renderText } from './template.ts'

export interface ProbeLine {
  ok: boolean
  what: string
  detail: string
}

/** A made-up value for every placeholder: the route must exist even if the thing does not. */
const PROBE_VARS = new Proxy({} as Record<string, unknown>, { get: () => 'standin-probe' })

export async function checkProfile(profile: Profile, timeoutMs = 5000): Promise<ProbeLine[]> {
  const base = profile.baseUrl.replace(/\/$/, '')
  const lines: ProbeLine[] = []
  const probe = async (method: string, path: string) => {
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.arrayBuffer()
      return { status: response.status }
    } catch (error) {
      return { error: (error as Error).message }
    }
  }
  const health = await probe('GET', profile.health ?? '/')
  if ('error' in health) {
    lines.push({
      ok: false,
      what: 'app',
      detail: `cannot reach ${base}${profile.health ?? '/'}: ${health.error}`,
    })
    return lines
  }
  lines.push({
    ok: !profile.health || (health.status >= 200 && health.status < 300),
    what: 'health',
    detail: `GET ${base}${profile.health ?? '/'} answered HTTP ${health.status}`,
  })
  for (const flow of profile.capabilities.flows) {
    const missing = Object.entries(STEPS)
      .filter(([name, spec]) => spec.flow === flow && !profile.steps[name as StepName] && !profile.module)
      .map(([name]) => name)
    if (missing.length)
      lines.push({
        ok: true,
        what: `flow ${flow}`,
        detail: `optional steps not declared: ${missing.join(', ')}`,
      })
  }
  for (const [name, definition] of Object.entries(profile.steps)) {
    for (const spec of Array.isArray(definition) ? definition : [definition]) {
      const path = renderText(spec.path, PROBE_VARS, true)
      const result = await probe(spec.method, path)
      const routeMissing = 'status' in result && (result.status === 404 || result.status === 405)
      lines.push({
        ok: 'status' in result && !routeMissing,
        what: `step ${name}${spec.when ? ` (${JSON.stringify(spec.when)})` : ''}`,
        detail:
          'error' in result
            ? `${spec.method} ${path}: ${result.error}`
            : `${spec.method} ${path} answered HTTP ${result.status}${
                routeMissing
                  ? ': no such route? (a 404 for the made-up id "standin-probe" can also mean the route exists)'
                  : ''
              }`,
      })
    }
  }
  return lines
}
