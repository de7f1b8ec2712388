/**
 * `npm run cycles`: every circular import among the project's own TypeScript
 * files, found with the TypeScript compiler's own module resolver (so `.ts`
 * extensions, `import type` and `export … from` resolve exactly as tsc sees
 * them). Type-only imports count too: a cycle of types is still two files
 * that cannot be read, or moved, one without the other.
 *
 * Prints each strongly connected group of files with one shortest cycle
 * through it, and exits 1 when there is any. Usage:
 *   npm run cycles [-- dir ...]     (default: simulators scenarios reference-target)
 *   npm run cycles -- --json        (machine-readable, same exit code)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const root = process.cwd()
export const DEFAULT_ROOTS = ['simulators', 'scenarios', 'reference-target']

const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json')
const options: ts.CompilerOptions = configPath
  ? ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root).options
  : { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full))
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full)
  }
  return out
}

/** Every module specifier a file names: imports, re-exports, `import()` and `require()`. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return info.importedFiles.map((f) => f.fileName)
}

function importGraph(files: string[]): Map<string, string[]> {
  const inScope = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const targets = new Set<string>()
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue // packages can't import us back
      const resolved = ts.resolveModuleName(spec, file, options, ts.sys).resolvedModule?.resolvedFileName
      if (resolved && inScope.has(path.resolve(resolved))) targets.add(path.resolve(resolved))
    }
    graph.set(file, [...targets])
  }
  return graph
}

/** Tarjan's strongly connected components, iteratively (deep import chains overflow recursion). */
function components(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const out: string[][] = []
  let next = 0
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }]
    index.set(start, next)
    low.set(start, next++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const edges = graph.get(frame.node) ?? []
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          work.push({ node: to, edge: 0 })
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          group.push(member)
        } while (member !== frame.node)
        const selfLoop = group.length === 1 && (graph.get(frame.node) ?? []).includes(frame.node)
        if (group.length > 1 || selfLoop) out.push(group.sort())
      }
    }
  }
  return out
}

/** The shortest cycle through `from` that stays inside its group (breadth-first). */
function shortestCycle(graph: Map<string, string[]>, from: string, group: Set<string>): string[] {
  const previous = new Map<string, string>()
  const queue = [from]
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!
    for (const to of graph.get(node) ?? []) {
      if (!group.has(to)) continue
      if (to === from) {
        const cycle = [node]
        while (cycle[0] !== from) cycle.unshift(previous.get(cycle[0]!)!)
        return [...cycle, from]
      }
      if (!previous.has(to)) {
        previous.set(to, node)
        queue.push(to)
      }
    }
  }
  return [from]
}

export interface CircularGroup {
  /** Files (relative to the working directory) that import one another, directly or not. */
  files: string[]
  /** One shortest cycle through the first of them, ending where it starts. */
  cycle: string[]
}

/** Every group of files under `roots` that import one another, and how many files were read. */
export function circularGroups(roots: string[] = DEFAULT_ROOTS): { files: number; groups: CircularGroup[] } {
  const files = roots.flatMap((r) => sourceFiles(path.resolve(root, r)))
  const graph = importGraph(files)
  const rel = (f: string) => path.relative(root, f)
  const groups = components(graph).map((group) => ({
    files: group.map(rel),
    cycle: shortestCycle(graph, group[0]!, new Set(group)).map(rel),
  }))
  return { files: files.length, groups }
}

function main(): void {
  const args = process.argv.slice(2)
  const json = args.includes('--json')
  const dirs = args.filter((a) => !a.startsWith('--'))
  const roots = dirs.length > 0 ? dirs : DEFAULT_ROOTS
  const { files, groups: found } = circularGroups(roots)
  if (json) {
    console.log(JSON.stringify({ roots, files, groups: found }, null, 2))
  } else if (found.length === 0) {
    console.log(`no circular imports among ${files} files in ${roots.join(', ')}`)
  } else {
    for (const [i, g] of found.entries()) {
      console.log(`${i + 1}. ${g.files.length} files import one another:`)
      for (const f of g.files) console.log(`     ${f}`)
      console.log(`   e.g. ${g.cycle.join(' → ')}`)
    }
    console.log(`\n${found.length} circular group(s) among ${files} files in ${roots.join(', ')}`)
  }
  process.exitCode = found.length > 0 ? 1 : 0
}

// Run as a script (npm run cycles), not when a test imports circularGroups().
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) main()
