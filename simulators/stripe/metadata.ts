/** A `metadata` update as Stripe applies it: '' clears all, a key set to '' is removed, others are set. */
export function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string> | '' | undefined,
) {
  if (patch === undefined) return current
  if (patch === '') return {}
  const next = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === '') delete next[k]
    else next[k] = v
  }
  return next
}
