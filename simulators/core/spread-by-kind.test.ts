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

  it('keeps a client-chosen kind out of the compiled source', () => {
    const kind = '} ; globalThis.injected = true ; {'
    expect(spreadByKind({ a: 1 }, kind)).toEqual({ a: 1 })
    expect((globalThis as { injected?: boolean }).injected).toBeUndefined()
  })
})
