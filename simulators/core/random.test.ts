import { describe, expect, it } from 'vitest'
import { IdMinter } from './random.ts'

describe('IdMinter.uuid', () => {
  it('is a version-4 shaped UUID, the same sequence for the same seed as before it was made in one piece', () => {
    const ids = new IdMinter(1)
    // The first of seed 1, as the sliced-and-joined version minted it: a replayed run keeps its request ids.
    expect(ids.uuid()).toBe('a08ff49b-6f77-4632-a16c-43069c43a8c3')
    for (let i = 0; i < 1000; i++)
      expect(ids.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    ids.restart()
    expect(ids.uuid()).toBe('a08ff49b-6f77-4632-a16c-43069c43a8c3')
  })
})
