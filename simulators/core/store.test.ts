import { afterEach, describe, expect, it } from 'vitest'
import { createRandom } from './random.ts'
import { BoundedMap, Collection, DEFAULT_STORE_LIMIT, getStoreLimit, setStoreLimit } from './store.ts'

const item = (n: number) => ({ id: `obj_${n}`, n })

describe('store retention', () => {
  afterEach(() => setStoreLimit(DEFAULT_STORE_LIMIT))

  it('keeps a collection to its limit, dropping the oldest object first', () => {
    const objects = new Collection<{ id: string; n: number }>(3)
    for (let n = 1; n <= 5; n++) objects.insert(item(n))
    expect(objects.size).toBe(3)
    expect(objects.get('obj_1')).toBeUndefined()
    expect(objects.get('obj_2')).toBeUndefined()
    expect(objects.all().map((o) => o.n)).toEqual([3, 4, 5])
    expect(objects.page({ limit: 10 }).items.map((o) => o.n)).toEqual([5, 4, 3])
  })

  it('does not evict when an object already stored is stored again', () => {
    const objects = new Collection<{ id: string; n: number }>(2)
    objects.insert(item(1))
    objects.insert(item(2))
    objects.insert({ id: 'obj_1', n: 10 })
    expect(objects.all().map((o) => o.n)).toEqual([10, 2])
  })

  it('follows the store limit when a collection names none, as set at run time', () => {
    expect(getStoreLimit()).toBe(DEFAULT_STORE_LIMIT)
    setStoreLimit(2)
    const objects = new Collection<{ id: string; n: number }>()
    const byKey = new BoundedMap<string, number>()
    for (let n = 1; n <= 4; n++) {
      objects.insert(item(n))
      byKey.set(`k${n}`, n)
    }
    expect(objects.size).toBe(2)
    expect([...byKey.keys()]).toEqual(['k3', 'k4'])
  })

  it('evicts the oldest live key through deletes, re-inserts, updates and clears', () => {
    // Checked against the definition: the first key a fresh iteration meets.
    const bounded = new BoundedMap<string, number>(50)
    const random = createRandom(7)
    for (let i = 0; i < 20_000; i++) {
      const key = `k${i % 3 === 0 ? Math.floor(random() * i) : i}`
      if (i % 97 === 0 && bounded.size > 10) bounded.delete([...bounded.keys()][5]!)
      if (i % 5_000 === 0) bounded.clear()
      const full = bounded.size >= 50 && !bounded.has(key)
      const expected = full ? [...bounded.keys()].slice(1) : [...bounded.keys()]
      if (!bounded.has(key)) expected.push(key)
      bounded.set(key, i)
      if (full || i % 101 === 0) expect([...bounded.keys()]).toEqual(expected)
    }
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => setStoreLimit(0)).toThrow(RangeError)
    expect(() => setStoreLimit(1.5)).toThrow(RangeError)
  })
})
