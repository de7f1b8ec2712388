#!/usr/bin/env node
// The `standin` command. In this repository it runs the TypeScript sources
// through tsx (Node 20 cannot strip types itself), so an edit needs no build;
// the installed package (npm pack) carries no sources, only the compiled dist/,
// which runs on Node alone.
import { existsSync } from 'node:fs'

const source = new URL('../simulators/hub/cli.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import('../dist/simulators/hub/cli.js')
}
