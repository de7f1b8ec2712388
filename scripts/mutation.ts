/**
 * `npm run mutation`: the generic mutation run (`standin mutation`) on the
 * reference target with every one of its named defects. Pass defect names to
 * try only those: `npm run mutation -- otp-never-expires,no-sms-failover`.
 */
import { DEFECTS } from '../reference-target/src/defects.ts'
import { runMutation, summarize } from '../scenarios/run/mutation.ts'

const only = process.argv[2]?.split(',').filter(Boolean)
const report = await runMutation({
  profile: 'scenarios/target/profiles/reference-target.json',
  start: 'bash reference-target/scripts/serve-for-standin.sh',
  defectsEnv: 'REFERENCE_DEFECTS',
  defects: only?.length ? only : Object.keys(DEFECTS),
  workers: process.env.STANDIN_WORKERS ? Number(process.env.STANDIN_WORKERS) : undefined,
  lanes: process.env.STANDIN_MUTATION_LANES ? Number(process.env.STANDIN_MUTATION_LANES) : undefined,
})
process.stdout.write(summarize(report))
process.exit(report.ok ? 0 : 1)
