import { z } from 'zod'
import type { Collection } from '../core/store.ts'

/** An address object as Mail Send takes it. */
export const EmailAddress = z.object({ email: z.string(), name: z.string().optional() })
export type EmailAddress = z.infer<typeof EmailAddress>

const StringMap = z.record(z.string(), z.string())
const Enable = z.object({ enable: z.boolean().optional() }).loose()

export const Personalization = z
  .object({
    to: z.array(EmailAddress),
    cc: z.array(EmailAddress).optional(),
    bcc: z.array(EmailAddress).optional(),
    from: EmailAddress.optional(),
    subject: z.string().optional(),
    headers: StringMap.optional(),
    substitutions: StringMap.optional(),
    dynamic_template_data: z.record(z.string(), z.unknown()).optional(),
    custom_args: StringMap.optional(),
    send_at: z.number().int().optional(),
  })
  .loose()
export type Personalization = z.infer<typeof Personalization>

export const Content = z.object({ type: z.string(), value: z.string() })
export const Attachment = z.object({
  content: z.string(),
  filename: z.string(),
  type: z.string().optional(),
  disposition: z.enum(['inline', 'attachment']).optional(),
  content_id: z.string().optional(),
})

/**
 * The Mail Send body (`POST /v3/mail/send`) once validated. The validator in
 * `mail-validation.ts` produces SendGrid's own messages; this schema is the type.
 */
export const MailSendRequest = z
  .object({
    personalizations: z.array(Personalization),
    from: EmailAddress,
    reply_to: EmailAddress.optional(),
    reply_to_list: z.array(EmailAddress).optional(),
    subject: z.string().optional(),
    content: z.array(Content).optional(),
    attachments: z.array(Attachment).optional(),
    template_id: z.string().optional(),
    headers: StringMap.optional(),
    categories: z.array(z.string()).optional(),
    custom_args: StringMap.optional(),
    send_at: z.number().int().optional(),
    batch_id: z.string().optional(),
    asm: z
      .object({ group_id: z.number().int(), groups_to_display: z.array(z.number().int()).optional() })
      .optional(),
    ip_pool_name: z.string().optional(),
    mail_settings: z
      .object({
        bypass_list_management: Enable.optional(),
        bypass_spam_management: Enable.optional(),
        bypass_bounce_management: Enable.optional(),
        bypass_unsubscribe_management: Enable.optional(),
        footer: z
          .object({
            enable: z.boolean().optional(),
            text: z.string().optional(),
            html: z.string().optional(),
          })
          .optional(),
        sandbox_mode: Enable.optional(),
      })
      .loose()
      .optional(),
    tracking_settings: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
export type MailSendRequest = z.infer<typeof MailSendRequest>

// ------------------------------------------------------------------ templates

export const TemplateVersion = z.object({
  id: z.string(),
  template_id: z.string(),
  active: z.union([z.literal(0), z.literal(1)]),
  name: z.string(),
  html_content: z.string(),
  plain_content: z.string(),
  generate_plain_content: z.boolean(),
  subject: z.string(),
  editor: z.enum(['code', 'design']),
  test_data: z.string().optional(),
  updated_at: z.string(),
  thumbnail_url: z.string().optional(),
})
export type TemplateVersion = z.infer<typeof TemplateVersion>

export const Template = z.object({
  id: z.string(),
  name: z.string(),
  generation: z.enum(['legacy', 'dynamic']),
  updated_at: z.string(),
  versions: z.array(TemplateVersion),
})
export type Template = z.infer<typeof Template>

export const CreateTemplateParams = z.object({
  name: z.string().max(100),
  generation: z.enum(['legacy', 'dynamic']).optional(),
})

export const VersionParams = z.object({
  template_id: z.string().optional(),
  active: z.union([z.literal(0), z.literal(1)]).optional(),
  name: z.string().max(100),
  html_content: z.string().max(1_048_576).optional(),
  plain_content: z.string().max(1_048_576).optional(),
  generate_plain_content: z.boolean().optional(),
  subject: z.string().max(255),
  editor: z.enum(['code', 'design']).optional(),
  test_data: z.string().optional(),
})
export type VersionParams = z.infer<typeof VersionParams>

// --------------------------------------------------------------- suppressions

export const SuppressionKind = z.enum(['bounces', 'blocks', 'spam_reports', 'invalid_emails', 'unsubscribes'])
export type SuppressionKind = z.infer<typeof SuppressionKind>

/** One suppression entry; which fields appear depends on the list (bounces carry reason and status, spam reports ip). */
export interface SuppressionEntry {
  created: number
  email: string
  reason?: string
  status?: string
  ip?: string
}

// ------------------------------------------------------------------- messages

/** One accepted Mail Send request (the X-Message-Id), kept for inspection and events. */
export interface SentMessage {
  id: string
  acceptedAt: number
  sendAt: number
  recipients: { email: string; sgMessageId: string; personalization: number }[]
  templateId?: string
  categories: string[]
}

export interface SendgridEvent {
  email: string
  timestamp: number
  event: string
  sg_event_id: string
  sg_message_id: string
  'smtp-id': string
  [key: string]: unknown
}

/** An unsubscribe group (ASM): recipients opt out of one kind of mail, not all of it. */
export interface UnsubscribeGroup {
  id: number
  name: string
  description: string
  is_default: boolean
  /** Suppressed address (lower-case) → created, unix seconds. */
  suppressions: Map<string, number>
}

export interface SendgridState {
  account: string
  groups: Map<number, UnsubscribeGroup>
  nextGroupId: number
  messages: Collection<SentMessage>
  templates: Collection<Template>
  suppressions: Record<SuppressionKind, Map<string, SuppressionEntry>>
  batches: Set<string>
  /** batch_id → a cancel or pause set through /v3/user/scheduled_sends. */
  scheduledSends: Map<string, 'pause' | 'cancel'>
  /** Messages of paused batches waiting for the pause to go. */
  held: { batchId: string; send: () => void }[]
  /** Events waiting for the batch window to close. */
  outbox: SendgridEvent[]
  outboxBytes: number
  flush?: { cancel(): void } | undefined
  /** Requests per operation in the current minute; `rateLimitPerMinute` may be lowered by tests. */
  rate: Map<string, { windowStart: number; count: number }>
  rateLimitPerMinute: number
}
