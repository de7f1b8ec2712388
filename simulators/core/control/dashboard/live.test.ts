import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../../testing.ts'
import { type Change, LiveFeed, type Topic } from './live.ts'

/** The dashboard's live feed: what changed is announced once, by topic; nothing when nothing changed. */
let sims: RunningProviders
beforeAll(async () => {
  sims = await startProviders([testkit], { timeScale: 0 })
})
afterAll(() => sims.close())

/** Resolves with the first change announced that includes `topic`. */
function nextChange(feed: LiveFeed, topic: Topic): Promise<Change> {
  return new Promise((resolve) => {
    const stop = feed.subscribe((change) => {
      if (!change.topics.includes(topic)) return
      stop()
      resolve(change)
    })
  })
}

/** Every topic announced until all of `topics` were (a request may straddle two comparisons). */
function untilAnnounced(feed: LiveFeed, topics: Topic[]): Promise<Set<Topic>> {
  const seen = new Set<Topic>()
  return new Promise((resolve) => {
    const stop = feed.subscribe((change) => {
      for (const t of change.topics) seen.add(t)
      if (topics.every((t) => seen.has(t))) {
        stop()
        resolve(seen)
      }
    })
  })
}

const createWidget = (name: string) =>
  fetch(`${sims.url('testkit')}/v1/widgets`, {
    method: 'POST',
    headers: { authorization: 'Bearer tk_live', 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })

describe('LiveFeed', () => {
  it('announces a request as a journal change, and a fault rule firing as a faults change', async () => {
    const feed = new LiveFeed(sims.core, 10)
    const rule = sims.core.faults.add({
      match: { provider: 'testkit', operation: 'widgets.create' },
      effect: { type: 'provider-error', error: 'declined' },
      times: 1,
    })
    const announced = untilAnnounced(feed, ['journal', 'faults'])
    expect((await createWidget('w1')).status).toBe(402)
    const seen = await announced
    expect(seen.has('messages')).toBe(false)
    expect(seen.has('deliveries')).toBe(false)
    sims.core.faults.remove(rule.id)
  })

  it('announces a clock change by offset and scale, not by the passing of time', async () => {
    const feed = new LiveFeed(sims.core, 10)
    const changed = nextChange(feed, 'clock')
    await sims.core.clock.advanceAsync(60_000)
    expect((await changed).topics).toContain('clock')
  })

  it('says the journal was cleared, so the page starts its list over', async () => {
    expect((await createWidget('w2')).status).toBe(200)
    const feed = new LiveFeed(sims.core, 10)
    const changed = nextChange(feed, 'journal')
    sims.core.journal.clear()
    const change = await changed
    expect(change.cleared).toEqual(['journal'])
    expect(change.topics).not.toContain('faults')
  })

  it('stops comparing when the last page leaves', async () => {
    const feed = new LiveFeed(sims.core, 10)
    const stop = feed.subscribe(() => {})
    expect((feed as unknown as { timer?: unknown }).timer).toBeDefined()
    stop()
    expect((feed as unknown as { timer?: unknown }).timer).toBeUndefined()
  })
})
