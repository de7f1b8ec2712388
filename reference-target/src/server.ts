import { buildReferenceApp } from './app.ts'
import { configFromEnv } from './config.ts'

/** Entry point: `npx tsx reference-target/src/server.ts` (configuration from the environment, see README). */
const config = configFromEnv()
const ref = await buildReferenceApp(config)
const url = await ref.listen()
ref.app.log.info({ url, database: ref.db.kind, defects: config.defects }, 'reference target listening')

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    ref.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
