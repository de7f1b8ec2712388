/**
 * Merges the journeys' blob reports of several runners (CI shards) into one
 * set of reports — verdict.json, results.json, junit.xml and the HTML report —
 * with the same reporters a single run uses (scenarios/journeys.merge.config.ts).
 * @example await mergeShardReports({ blobs: 'all-blobs', out: 'reports/journeys' })
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

export class MergeError extends Error {
  override name = 'MergeError'
}

export async function mergeShardReports(options: {
  blobs: string
  out?: string
  cwd?: string
}): Promise<string> {
  const cwd = options.cwd ?? process.cwd()
  const blobs = resolve(cwd, options.blobs)
  const zips = existsSync(blobs) ? readdirSync(blobs).filter((f) => f.endsWith('.zip')) : []
  if (zips.length === 0)
    throw new MergeError(
      `Failed to merge reports: no blob reports (*.zip) in ${options.blobs}. Download every shard's reports/journeys/blob/ there, each file under its own name.`,
    )
  const out = resolve(cwd, options.out ?? 'reports/journeys')
  const code = await new Promise<number>((done) => {
    const child = spawn(
      'npx',
      ['playwright', 'merge-reports', '-c', resolve(root, 'scenarios/journeys.merge.config.ts'), blobs],
      // The merge config writes under STANDIN_REPORTS; an absolute path puts them where the caller asked.
      { cwd: root, env: { ...process.env, STANDIN_REPORTS: out }, stdio: 'inherit' },
    )
    child.on('exit', (c) => done(c ?? 1))
    child.on('error', () => done(1))
  })
  if (code !== 0 || !existsSync(resolve(out, 'verdict.json')))
    throw new MergeError(
      `Failed to merge reports: playwright merge-reports exited ${code} and wrote no verdict.json.`,
    )
  return out
}
