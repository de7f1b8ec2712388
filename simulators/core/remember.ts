/**
 * `compute` with a memory of one: called again with the same argument as last
 * time, it answers what it answered then. For what a load test repeats on every
 * request and nothing else varies: a client's Authorization header, the second
 * or millisecond a burst of objects is stamped with. One entry, so it never
 * grows; a `compute` that throws leaves the memory as it was.
 * @example const isoOf = rememberLast((ms: number) => new Date(ms).toISOString())
 */
export function rememberLast<A, R>(compute: (arg: A) => R): (arg: A) => R {
  let remembered = false
  let lastArg: A
  let lastResult: R
  return (arg) => {
    if (!remembered || arg !== lastArg) {
      lastResult = compute(arg)
      lastArg = arg
      remembered = true
    }
    return lastResult
  }
}
