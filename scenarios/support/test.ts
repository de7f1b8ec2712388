/**
 * The journeys' `test`: Playwright Test with typed fixtures.
 * - worker scope: `run` (profile, hub URL, seed), `standin` (the control client);
 * - test scope: `target` (the app, every step an Allure/Playwright step),
 *   `users` (seeded people, one per role), `app` (composite flow helpers and
 *   the clock that moves both sides), `applies` (declares what a journey
 *   needs; a journey the app does not support is reported not applicable);
 * - an automatic fixture that attaches, when a journey fails, what the app was
 *   told and answered, and what standin saw for the journey's own people.
 */
import { test as base, expect } from '@playwright/test'
import { buildUser, seedOf, type User } from '../../fixtures/factories/user.ts'
import { StandinClient } from '../../simulators/core/control/client.ts'
import type { FaultRule, FaultRuleInput } from '../../simulators/core/faults/schema.ts'
import type { WebhookRule, WebhookRuleInput } from '../../simulators/core/webhooks/rules.ts'
import { Target } from '../target/target.ts'
import { AppFlows } from './flows.ts'
import { loadTargetModule, type RunEnv, readRunEnv } from './run-env.ts'

type Needs = Parameters<Target['notApplicable']>[0]

export interface Users {
  /** The person playing `role` in this test (the same role answers the same person). */
  get(role?: string, overrides?: Partial<User>): User
  all(): User[]
}

/** Rules a journey adds to standin, removed when it ends (pass or fail), so no journey leaks into the next. */
export interface Scoped {
  webhookRule(rule: WebhookRuleInput): Promise<WebhookRule>
  fault(rule: FaultRuleInput): Promise<FaultRule>
  /** Applies a preset; the rules it made are removed with the rest. */
  preset(
    name: string,
    vars?: Record<string, string>,
  ): Promise<{ faults: FaultRule[]; webhookRules: WebhookRule[] }>
}

interface TestFixtures {
  target: Target
  scoped: Scoped
  users: Users
  app: AppFlows
  /** Marks the journey not applicable (and skips it) unless the app declares what it needs. */
  applies: (needs: Needs) => void
  evidence: undefined
}
interface WorkerFixtures {
  run: RunEnv
  standin: StandinClient
}

export const NOT_APPLICABLE = 'not-applicable'

export const test = base.extend<TestFixtures, WorkerFixtures>({
  run: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => use(readRunEnv()),
    { scope: 'worker' },
  ],
  standin: [async ({ run }, use) => use(new StandinClient({ url: run.hubUrl })), { scope: 'worker' }],

  target: async ({ run }, use) => {
    const module = await loadTargetModule(run)
    await use(
      new Target(run.profile, {
        module,
        wrapStep: (title, body) => test.step(`target.${title}`, body, { box: true }),
      }),
    )
  },

  users: async ({ run }, use, testInfo) => {
    const made = new Map<string, User>()
    await use({
      get(role = 'user', overrides = {}) {
        const key = `${role}:${JSON.stringify(overrides)}`
        let user = made.get(key)
        if (!user) {
          user = buildUser(seedOf(run.seed, testInfo.testId, testInfo.retry, role), overrides)
          made.set(key, user)
        }
        return user
      },
      all: () => [...made.values()],
    })
  },

  scoped: async ({ standin }, use) => {
    const faults: string[] = []
    const webhookRules: string[] = []
    await use({
      async webhookRule(rule) {
        const added = await standin.webhooks.rules.add(rule)
        webhookRules.push(added.id)
        return added
      },
      async fault(rule) {
        const added = await standin.faults.add(rule)
        faults.push(added.id)
        return added
      },
      async preset(name, vars = {}) {
        const applied = await standin.presets.apply(name, vars)
        faults.push(...applied.faults.map((r) => r.id))
        webhookRules.push(...applied.webhookRules.map((r) => r.id))
        return applied
      },
    })
    await Promise.all([
      ...faults.map((id) => standin.faults.remove(id).catch(() => undefined)),
      ...webhookRules.map((id) => standin.webhooks.rules.remove(id).catch(() => undefined)),
    ])
  },

  app: async ({ target, standin, run }, use) => use(new AppFlows(target, standin, run.profile.rules)),

  applies: async ({ target }, use, testInfo) => {
    await use((needs) => {
      const reason = target.notApplicable(needs)
      if (reason === undefined) return
      testInfo.annotations.push({ type: NOT_APPLICABLE, description: reason })
      test.skip(true, `not applicable: ${reason}`)
    })
  },

  evidence: [
    async ({ target, standin, users }, use, testInfo) => {
      await use(undefined)
      if (testInfo.status === testInfo.expectedStatus) return
      await testInfo.attach('target exchanges.json', {
        body: JSON.stringify(target.exchanges, null, 2),
        contentType: 'application/json',
      })
      const seen: Record<string, unknown> = {}
      for (const user of users.all()) {
        seen[user.phone] = await standin.messages.list({ to: user.phone }).catch((e: Error) => e.message)
        seen[user.email] = await standin.messages.list({ to: user.email }).catch((e: Error) => e.message)
      }
      seen.recentDeliveries = await standin.webhooks.deliveries
        .list({ limit: 50 })
        .catch((e: Error) => e.message)
      await testInfo.attach('standin evidence.json', {
        body: JSON.stringify(seen, null, 2),
        contentType: 'application/json',
      })
    },
    { auto: true },
  ],
})

export { expect }
