import { calls } from './flows/calls.ts'
import { giftCards } from './flows/gift-cards.ts'
import { matching } from './flows/matching.ts'
import type { FlowModule } from './flows/module.ts'
import { payments } from './flows/payment-routes.ts'
import { profile } from './flows/profile.ts'
import { registration } from './flows/registration.ts'
import { subscriptions } from './flows/subscriptions/index.ts'
import { webhooks } from './webhooks/process.ts'

/** Every flow the app mounts, in the order their routes appear in /openapi.json. */
export const FLOW_MODULES: readonly FlowModule[] = [
  registration,
  profile,
  payments,
  subscriptions,
  matching,
  giftCards,
  calls,
  webhooks,
]
