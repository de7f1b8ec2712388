import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { spreadByKind } from './spread-by-kind.ts'

describe('spreadByKind', () => {
  it('copies own keys in order, as a spread, for every kind (past the table’s bound too)', () => {
    for (let i = 0; i < 300; i++) {
      const source = { id: `x_${i}`, object: `kind_${i}`, nested: { a: i }, gone: undefined }
      const copy = spreadByKind(source, source.object)
      expect(copy).not.toBe(source)
      expect(Object.keys(copy)).toEqual(['id', 'object', 'nested', 'gone'])
      expect(copy.nested).toBe(source.nested)
      expect(copy.id).toBe(`x_${i}`)
    }
  })

  it('copies an object of no kind with the plain spread', () => {
    const source = { a: 1, nested: { b: 2 } }
    const copy = spreadByKind(source, undefined)
    expect(copy).not.toBe(source)
    expect(copy).toEqual(source)
    expect(copy.nested).toBe(source.nested)
  })

  it('keeps a client-chosen kind out of the compiled source', () => {
    const kind = '} ; globalThis.injected = true ; {'
    expect(spreadByKind({ a: 1 }, kind)).toEqual({ a: 1 })
    expect((globalThis as { injected?: boolean }).injected).toBeUndefined()
  })

  it('copies with the plain spread where node refuses to compile code from strings', () => {
    const module = fileURLToPath(new URL('./spread-by-kind.ts', import.meta.url))
    const script = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(JSON.stringify([m.spreadByKind({ a: 1 }, 'x'), m.spreadByKind({ b: 2 }, 'y')])))`
    const out = execFileSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    )
    expect(JSON.parse(out)).toEqual([{ a: 1 }, { b: 2 }])
  })
})
