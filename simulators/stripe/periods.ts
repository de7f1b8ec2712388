/** Seconds in Stripe's billing units, and where a billing period ends (a month keeps its day, clamped to the month's last). */
export const HOUR = 3600
export const DAY = 86_400

export function addInterval(at: number, interval: 'day' | 'week' | 'month' | 'year', count: number): number {
  if (interval === 'day') return at + count * DAY
  if (interval === 'week') return at + count * 7 * DAY
  const d = new Date(at * 1000)
  const months = interval === 'month' ? count : count * 12
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + months)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last))
  return Math.floor(d.getTime() / 1000)
}
