import { resolve } from 'node:path'
import { reports } from './journeys.config.ts'

/** `playwright merge-reports` of the two phases' blobs into the run's reports (see journeys.config.ts). */
const out = resolve(import.meta.dirname, '..', process.env.STANDIN_REPORTS ?? 'reports/journeys')
export default { testDir: '.', reporter: reports(out) }
