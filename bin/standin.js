#!/usr/bin/env node
// The `standin` command. In this repository it runs the TypeScript sources
// through tsx (Node 20 cannot strip types itself), so an edit needs no build;
// the installed package (npm pack) carries no sources, only the compiled dist/,
// which runs on Node alone.
import { existsSync } from 'node:fs'

const source = new URL('../simulators/hub/cli.ts', import.meta.url)
let cli
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import(source.href)
} else {
  cli = await import('../dist/simulators/hub/cli.js')
}
await cli.main()
