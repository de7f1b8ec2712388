/**
 * What a journey run is pointed at, read from the environment the runner
 * (`standin journeys`, the main job, the mutation run) sets, so Playwright's
 * workers and a user running `playwright test` by hand see the same thing:
 * STANDIN_PROFILE (file), STANDIN_TARGET_URL and STANDIN_HUB_URL (override the
 * profile's), STANDIN_SEED (the data seed; a failing run replays with it).
 */
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadProfile } from '../target/load-profile.ts'
import type { Profile } from '../target/profile.ts'
import { TargetError, type TargetModule } from '../target/target.ts'

export const defaultProfilePath = 'scenarios/target/profiles/reference-target.json'

export interface RunEnv {
  profilePath: string
  profile: Profile
  hubUrl: string
  seed: string
}

export function readRunEnv(env: NodeJS.ProcessEnv = process.env): RunEnv {
  const profilePath = resolve(env.STANDIN_PROFILE || defaultProfilePath)
  const loaded = loadProfile(profilePath)
  const profile: Profile = { ...loaded, baseUrl: env.STANDIN_TARGET_URL || loaded.baseUrl }
  const hubUrl = (env.STANDIN_HUB_URL || profile.hubUrl || 'http://127.0.0.1:4700').replace(/\/$/, '')
  return { profilePath, profile, hubUrl, seed: env.STANDIN_SEED || 'unseeded' }
}

/** The profile's escape-hatch module, resolved beside the profile file. */
export async function loadTargetModule(run: RunEnv): Promise<TargetModule | undefined> {
  if (!run.profile.module) return undefined
  const file = resolve(dirname(run.profilePath), run.profile.module)
  const loaded = (await import(pathToFileURL(file).href)) as Partial<TargetModule>
  if (!loaded.steps || typeof loaded.steps !== 'object')
    throw new TargetError(
      `Failed to load the target module ${file}: it must export \`steps\` (step name → function).`,
    )
  return { steps: loaded.steps }
}
