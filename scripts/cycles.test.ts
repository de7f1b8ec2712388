import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { circularGroups } from './cycles.ts'

describe('npm run cycles', () => {
  // A fixture under the working directory, so paths come back relative as for the real tree
  // (reports/ is made by the main job; a fresh clone's first `vitest run` has none yet).
  mkdirSync(path.join(process.cwd(), 'reports'), { recursive: true })
  const dir = mkdtempSync(path.join(process.cwd(), 'reports', '.cycles-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
  const rel = (file: string) => path.relative(process.cwd(), path.join(dir, file))

  it('finds a cycle through a type-only import and a re-export, and names its shortest loop', () => {
    write('a.ts', "import type { B } from './b.ts'\nexport type A = { b?: B }\n")
    write('b.ts', "export { c } from './sub/c.ts'\nexport type B = number\n")
    write('sub/c.ts', "import type { A } from '../a.ts'\nexport const c = (a: A) => a\n")
    write('leaf.ts', "import { c } from './sub/c.ts'\nexport const d = c\n")
    const { groups } = circularGroups([path.relative(process.cwd(), dir)])
    expect(groups).toHaveLength(1)
    expect(groups[0]!.files).toEqual([rel('a.ts'), rel('b.ts'), rel('sub/c.ts')])
    expect(groups[0]!.cycle).toEqual([rel('a.ts'), rel('b.ts'), rel('sub/c.ts'), rel('a.ts')])
  })

  it('finds none in the Stripe simulator', () => {
    expect(circularGroups(['simulators/stripe']).groups).toEqual([])
  })
})
