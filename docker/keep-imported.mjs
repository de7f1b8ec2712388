// Rewrites package.json so that its dependencies are exactly the packages the
// compiled code in the given folder imports, at the versions package.json pins;
// `npm prune --omit=dev` then leaves node_modules with those and what they
// need, at the locked versions. The reference target uses the providers'
// official SDKs, which are dev dependencies of standin itself.
//   node docker/keep-imported.mjs dist-reference-target
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'

const dir = process.argv[2]
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const pinned = { ...pkg.devDependencies, ...pkg.dependencies }
const imported = new Set()
for (const file of readdirSync(dir, { recursive: true })) {
  if (!String(file).endsWith('.js')) continue
  const code = readFileSync(join(dir, String(file)), 'utf8')
  for (const [, spec] of code.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
    if (spec.startsWith('node:') || builtinModules.includes(spec)) continue
    const parts = spec.split('/')
    imported.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0])
  }
}
const dependencies = {}
for (const name of [...imported].sort()) {
  if (!pinned[name]) throw new Error(`${dir} imports ${name}, which package.json does not pin`)
  dependencies[name] = pinned[name]
}
writeFileSync('package.json', `${JSON.stringify({ ...pkg, dependencies, devDependencies: {} }, null, 2)}\n`)
process.stdout.write(`kept: ${Object.keys(dependencies).join(', ')}\n`)
