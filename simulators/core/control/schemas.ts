import { z } from 'zod'
import { clockRangeProblem, MAX_ADVANCE_MS, parseDuration } from '../clock.ts'
import { FaultRule } from '../faults/schema.ts'
import { JournalEntry, JournalFilter } from '../journal.ts'
import { CapturedMessage, MessageFilter } from '../messages.ts'
import { WebhookRule } from '../webhooks/rules.ts'
import { DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../webhooks/types.ts'

/**
 * Request and response schemas of the control plane. The OpenAPI document and
 * the typed client are both derived from these, so they cannot drift apart.
 */

const timeoutMs = z.coerce
  .number()
  .int()
  .min(0)
  .max(300_000)
  .default(10_000)
  .describe('how long to wait, real ms')

export const Duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: "expected ms or a duration like '90s', '15m', '2h', '3d'" })
    return z.NEVER
  }
  if (ms > MAX_ADVANCE_MS) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_ADVANCE_MS} ms (100 years)` })
    return z.NEVER
  }
  return ms
})

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
})

export const ProviderInfo = z.object({
  name: z.string(),
  title: z.string(),
  url: z.string(),
  operations: z.array(z.object({ operation: z.string(), method: z.string(), path: z.string() })),
  errors: z.array(z.object({ name: z.string(), summary: z.string() })),
  triggers: z.array(z.object({ name: z.string(), summary: z.string() })),
  webhooks: z.boolean(),
})

export const ProviderList = z.object({ providers: z.array(ProviderInfo) })

export const ClockState = z.object({
  now: z.string(),
  epochMs: z.number(),
  scale: z.number(),
  offsetMs: z.number(),
  pendingTimers: z.number(),
  nextDueMs: z.number().nullable().describe('when the earliest pending timer falls due (virtual epoch ms)'),
})

export const Health = z.object({
  status: z.literal('ok'),
  seed: z.number(),
  clock: ClockState,
  providers: z.array(z.object({ name: z.string(), url: z.string() })),
})

export const ResetBody = z.strictObject({ provider: z.string().optional(), account: z.string().optional() })

export const JournalQuery = JournalFilter
export const JournalWaitQuery = JournalFilter.extend({ timeoutMs })
export const JournalList = z.object({ entries: z.array(JournalEntry), lastSeq: z.number() })

export const FaultList = z.object({ rules: z.array(FaultRule) })
export const ProviderQuery = z.object({ provider: z.string().optional() })
export const Cleared = z.object({ removed: z.number() })

export const WebhookRuleList = z.object({ rules: z.array(WebhookRule) })

export const EndpointBody = z.strictObject({
  provider: z.string().min(1),
  url: z.url(),
  account: z
    .string()
    .min(1)
    .default('*')
    .describe("the account whose events it receives; '*' for every account"),
  secret: z.string().min(1).optional(),
  events: z.array(z.string().min(1)).min(1).optional(),
})
export const EndpointsQuery = z.object({ provider: z.string().optional(), account: z.string().optional() })
export const EndpointList = z.object({ endpoints: z.array(WebhookEndpoint) })

export const EventsQuery = z.object({
  provider: z.string().optional(),
  type: z.string().optional(),
  account: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
export const EventList = z.object({ events: z.array(WebhookEvent) })

export const SendEventBody = z.strictObject({
  provider: z.string().min(1),
  account: z.string().min(1).default('default'),
  event: z
    .string()
    .min(1)
    .describe("a trigger name (GET /providers lists them), or any type when 'payload' is given"),
  params: z.record(z.string(), z.unknown()).default({}).describe("the trigger's parameters"),
  payload: z.unknown().optional().describe('send this payload as is instead of running a trigger'),
  id: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("the event's id when a payload is sent; default: the payload's own `id`, else a new one"),
})
export const SendEventResult = z.object({ result: z.unknown() })

export const DeliveriesQuery = z.object({
  provider: z.string().optional(),
  account: z.string().optional(),
  eventType: z.string().optional(),
  eventId: z.string().optional(),
  endpointId: z.string().optional(),
  status: DeliveryStatus.optional(),
  minAttempts: z.coerce.number().int().min(0).optional(),
  payloadContains: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
export const DeliveriesWaitQuery = DeliveriesQuery.extend({ timeoutMs })
export const DeliveryList = z.object({ deliveries: z.array(WebhookDelivery) })

export const MessagesQuery = MessageFilter
export const MessagesWaitQuery = MessageFilter.extend({ timeoutMs })
export const MessageList = z.object({ messages: z.array(CapturedMessage) })
export const CodeQuery = MessageFilter.extend({ to: z.string().min(1), timeoutMs })
export const CodeResult = z.object({ code: z.string(), message: CapturedMessage })
export const LinksResult = z.object({ links: z.array(z.string()), message: CapturedMessage })

export const AdvanceBody = z.strictObject({ by: Duration.describe("ms, or '90s', '15m', '2h', '3d'") })
export const ScaleBody = z.strictObject({ scale: z.number().min(0).max(1_000_000) })
export const SetClockBody = z.strictObject({
  time: z
    .union([z.number(), z.iso.datetime({ offset: true })])
    .transform((value, ctx) => {
      const ms = typeof value === 'number' ? value : Date.parse(value)
      const problem = clockRangeProblem(ms)
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem })
        return z.NEVER
      }
      return ms
    })
    .describe('epoch ms or ISO 8601, from 1970-01-01 to 9999-12-31'),
})

export const PresetInfo = z.object({
  name: z.string(),
  description: z.string(),
  vars: z.record(z.string(), z.string()),
})
export const PresetList = z.object({ presets: z.array(PresetInfo) })
export const ApplyPresetBody = z.strictObject({ vars: z.record(z.string(), z.string()).default({}) })
export const AppliedPreset = z.object({ faults: z.array(FaultRule), webhookRules: z.array(WebhookRule) })
