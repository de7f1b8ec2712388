import { ProviderError } from '../core/errors.ts'
import { defineProvider } from '../core/provider.ts'
import { Collection } from '../core/store.ts'
import { MESSAGES, sendgridErrors, sgError, sgErrors } from './errors.ts'
import type { SendgridState, SentMessage, Template } from './models.ts'
import { asmGroups } from './routes/asm-groups.ts'
import { rateLimit } from './routes/common.ts'
import { mailBatch, mailSend } from './routes/mail-send.ts'
import { scheduledSends } from './routes/scheduled-sends.ts'
import { suppressions } from './routes/suppressions.ts'
import { templates } from './routes/templates.ts'
import { webhookSettings } from './routes/webhook-settings.ts'
import { isRevoked, keyAccount } from './test-values.ts'
import { sendgridTriggers } from './triggers.ts'
import { sendgridWebhooks } from './webhooks.ts'

/** SendGrid's total message limit (attachments included) is 30 MB; larger bodies get 413. */
export const BODY_LIMIT = 30 * 1024 * 1024
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600

/** Twilio SendGrid v3 Web API: Mail Send, templates, suppressions and the Signed Event Webhook. See README.md. */
export const sendgrid = defineProvider<SendgridState>({
  name: 'sendgrid',
  title: 'SendGrid',
  defaultPort: 4703,
  createState: (account) => ({
    account,
    groups: new Map(),
    nextGroupId: 1001,
    messages: new Collection<SentMessage>(),
    templates: new Collection<Template>(),
    suppressions: {
      bounces: new Map(),
      blocks: new Map(),
      spam_reports: new Map(),
      invalid_emails: new Map(),
      unsubscribes: new Map(),
    },
    batches: new Set(),
    scheduledSends: new Map(),
    held: [],
    outbox: [],
    outboxBytes: 0,
    rate: new Map(),
    rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
  }),
  authenticate: (req) => {
    const header = req.headers.authorization
    if (!header) throw new ProviderError(sgError(401, MESSAGES.authorizationRequired))
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const account = match ? keyAccount(match[1]!) : undefined
    if (!account || isRevoked(account)) throw new ProviderError(sgError(401, MESSAGES.invalidGrant))
    return account
  },
  routes: [
    mailSend,
    ...mailBatch,
    ...templates,
    ...suppressions,
    ...asmGroups,
    ...scheduledSends,
    ...webhookSettings,
  ],
  errors: sendgridErrors,
  responses: {
    notFound: () => sgError(404, MESSAGES.notFound),
    methodNotAllowed: () => sgError(405, MESSAGES.methodNotAllowed),
    invalidBody: (_req, problem) =>
      problem === 'too-large'
        ? sgError(413, MESSAGES.tooLarge)
        : problem === 'unsupported-media-type'
          ? sgError(415, MESSAGES.contentType)
          : sgErrors(400, [{ message: MESSAGES.badRequest, field: null, help: null }]),
    invalidInput: (_req, issues) =>
      sgErrors(
        400,
        issues.map((issue) => ({ message: issue.message, field: issue.path.join('.') || null, help: null })),
      ),
    internalError: () => sgError(500, MESSAGES.internal),
  },
  bodyLimit: BODY_LIMIT,
  // A bad key is a 401 even for a broken body, as header-authenticated gateways answer (UNVERIFIED for SendGrid).
  authBeforeBody: true,
  webhooks: sendgridWebhooks,
  triggers: sendgridTriggers,
  requestId: (ids) => ids.uuid(),
  hooks: { preValidation: [rateLimit] },
})
