import { setOwnKey } from '../core/json-copy.ts'
import type { ProviderContext } from '../core/provider.ts'
import { lanesPerState, TimerLane } from '../core/timer-lane.ts'
import type {
  EmailAddress,
  MailSendRequest,
  Personalization,
  SendgridEvent,
  SendgridState,
  SentMessage,
  Template,
  TemplateVersion,
} from './models.ts'
import { htmlToText, renderHandlebars, substitute } from './render.ts'
import { dispatchScheduled } from './scheduled-sends.ts'
import { addSuppression, suppressionReason } from './suppressions.ts'
import { outcomeFor, TIMING } from './test-values.ts'
import { enqueueEvent } from './webhooks.ts'

type Ctx = ProviderContext<SendgridState>

/** What one personalization renders to: the copy every one of its recipients receives. */
export interface RenderedMail {
  from: EmailAddress
  subject: string
  text: string
  html?: string
}

/** The active version of a template, or undefined (no versions, none active). */
export function activeVersion(template: Template): TemplateVersion | undefined {
  return template.versions.find((v) => v.active === 1)
}

export function render(
  mail: MailSendRequest,
  p: Personalization,
  template: Template | undefined,
): RenderedMail {
  const from = p.from ?? mail.from
  const content = mail.content ?? []
  let text = content.find((c) => c.type.toLowerCase() === 'text/plain')?.value
  let html = content.find((c) => c.type.toLowerCase() === 'text/html')?.value
  let subject = p.subject ?? mail.subject ?? ''
  const version = template ? activeVersion(template) : undefined
  if (template?.generation === 'dynamic' && version) {
    // Dynamic templates render the template's own subject and bodies from dynamic_template_data.
    const data = p.dynamic_template_data ?? {}
    html = version.html_content ? renderHandlebars(version.html_content, data, true) : undefined
    text =
      version.generate_plain_content || !version.plain_content
        ? html !== undefined
          ? htmlToText(html)
          : ''
        : renderHandlebars(version.plain_content, data, false)
    subject = version.subject ? renderHandlebars(version.subject, data, false) : subject
  } else if (version) {
    // Legacy templates wrap the request's content: <%body%> and <%subject%> are the slots.
    const wrap = (shell: string, body: string | undefined) => shell.split('<%body%>').join(body ?? '')
    html = version.html_content ? wrap(version.html_content, html) : html
    text = version.plain_content && !version.generate_plain_content ? wrap(version.plain_content, text) : text
    subject = version.subject ? version.subject.split('<%subject%>').join(subject) : subject
  }
  subject = substitute(subject, p.substitutions)
  html = html === undefined ? undefined : substitute(html, p.substitutions)
  text = text === undefined ? (html !== undefined ? htmlToText(html) : '') : substitute(text, p.substitutions)
  const footer = mail.mail_settings?.footer
  if (footer?.enable) {
    if (footer.text) text = `${text}\n\n${footer.text}`
    if (footer.html && html !== undefined) html = `${html}${footer.html}`
  }
  return { from, subject, text, ...(html !== undefined ? { html } : {}) }
}

/**
 * Accepts a validated send: mints the X-Message-Id, and for every recipient
 * schedules its life (processed, then delivered, deferred, bounce or dropped)
 * on the virtual clock. Delivered copies land in the inbox.
 */
/** Renders every personalization before the send is accepted; a template that cannot render throws {@link RenderError}. */
export function renderAll(mail: MailSendRequest, template: Template | undefined): RenderedMail[] {
  return mail.personalizations.map((p, i) => {
    try {
      return render(mail, p, template)
    } catch (error) {
      throw new RenderError(i, (error as Error).message.split('\n')[0] ?? 'render failed')
    }
  })
}

export class RenderError extends Error {
  constructor(
    readonly personalization: number,
    reason: string,
  ) {
    super(reason)
  }
}

export function acceptMail(
  ctx: Ctx,
  mail: MailSendRequest,
  template: Template | undefined,
  rendered = renderAll(mail, template),
): SentMessage {
  const xMessageId = ctx.ids.mint('', 22, 'alnum')
  const acceptedAt = ctx.clock.now()
  const message: SentMessage = {
    id: xMessageId,
    acceptedAt,
    sendAt: 0,
    recipients: [],
    ...(mail.template_id ? { templateId: mail.template_id } : {}),
    categories: mail.categories ?? [],
  }
  const node = ctx.ids.mint('', 6, 'lowerAlnum')
  const acceptedHex = Math.floor(acceptedAt / 1000)
    .toString(16)
    .toUpperCase()
  mail.personalizations.forEach((p, i) => {
    const sendAt = p.send_at ?? mail.send_at ?? 0
    const delay = Math.max(0, sendAt * 1000 - acceptedAt)
    const recipients = [...p.to, ...(p.cc ?? []), ...(p.bcc ?? [])]
    recipients.forEach((r, j) => {
      const sgMessageId = `${xMessageId}.filterdrecv-${node}-${i}-${acceptedHex}-${j}.0`
      message.recipients.push({ email: r.email, sgMessageId, personalization: i })
      const base = eventBase(mail, p, xMessageId, sgMessageId, r.email)
      // Immediate sends are processed at once: the processed event is stamped with the acceptance time.
      const recipient: Recipient = {
        mail,
        base,
        rendered: rendered[i]!,
        sendAt,
        email: r.email,
        p,
        xMessageId,
      }
      if (delay === 0) live(ctx, recipient)
      else ctx.later(delay, () => live(ctx, recipient))
    })
  })
  return ctx.state.messages.insert(message)
}

/** One recipient of a send, and what its events are made from. */
interface Recipient {
  mail: MailSendRequest
  base: Base
  rendered: RenderedMail
  sendAt: number
  email: string
  p: Personalization
  xMessageId: string
}

/** A recipient's life from its send time, unless its batch is paused or cancelled then. */
function live(ctx: Ctx, recipient: Recipient): void {
  dispatchScheduled(ctx, recipient.mail.batch_id, () => lifecycle(ctx, recipient))
}

/** The keys every event of one recipient shares. */
interface Base {
  email: string
  sg_message_id: string
  'smtp-id': string
  [key: string]: unknown
}

function eventBase(
  mail: MailSendRequest,
  p: Personalization,
  xMessageId: string,
  sgMessageId: string,
  email: string,
): Base {
  const categories = mail.categories ?? []
  // custom_args first so SendGrid's own keys win a clash; the rest set key by key (spreads of
  // conditional `{}` parts left the object slow to copy and to serialize, once per event).
  const base = { ...mail.custom_args, ...p.custom_args } as Base
  base.email = email
  base.sg_message_id = sgMessageId
  base['smtp-id'] = `<${xMessageId}@ismtpd0001p1standin.sendgrid.net>`
  if (categories.length === 1) base.category = categories[0]
  else if (categories.length > 1) base.category = categories
  if (mail.asm) base.asm_group_id = mail.asm.group_id
  return base
}

/**
 * One event: the recipient's keys, then SendGrid's, then the event's own (a
 * later key keeps an earlier one's place, as object spreads did). Copied key
 * by key: `{ ...base, …, ...extra }` was the costliest line of a send (~5 µs
 * per event, measured).
 */
function emit(ctx: Ctx, base: Base, event: string, extra?: Readonly<Record<string, unknown>>) {
  const out: Record<string, unknown> = {}
  copyKeys(out, base)
  out.timestamp = ctx.clock.unix()
  out.event = event
  out.sg_event_id = ctx.ids.mint('', 22, 'alnum')
  if (extra !== undefined) copyKeys(out, extra)
  enqueueEvent(ctx, out as SendgridEvent)
}

function copyKeys(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  // A custom arg named `__proto__` stays a plain key, as a spread keeps it.
  for (const key of Object.keys(source)) setOwnKey(target, key, source[key])
}

const MTA = { ip: '168.245.1.1', tls: 1 }
/** The extra keys of the events every delivery sends, made once (emit copies them). */
const DELIVERED = Object.freeze({ response: '250 Ok: queued as standin', ...MTA })
const DEFERRED = Object.freeze({ response: '451 4.4.1 Try again later', attempt: '1', ...MTA })

function lifecycle(ctx: Ctx, recipient: Recipient) {
  const { mail, base, sendAt, email } = recipient
  emit(ctx, base, 'processed', { send_at: sendAt })
  const dropped = suppressionReason(ctx.state, email, mail.mail_settings, mail.asm?.group_id)
  if (dropped) {
    emit(ctx, base, 'dropped', { reason: dropped, status: '5.0.0' })
    return
  }
  deliveryLane(ctx).add({ ctx, recipient, outcome: outcomeFor(email) })
}

/** The receiving server's two refusals: the bounce event's own keys, and the suppression list it adds to. */
const REFUSALS = {
  bounce: {
    event: Object.freeze({
      type: 'bounce',
      status: '5.1.1',
      reason:
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
      bounce_classification: 'Invalid Address',
      ...MTA,
    }),
    list: 'bounces',
    suppression: {
      reason: '550 5.1.1 The email account that you tried to reach does not exist.',
      status: '5.1.1',
    },
  },
  block: {
    event: Object.freeze({
      type: 'blocked',
      status: '5.7.1',
      reason: '554 5.7.1 Service unavailable; Client host blocked using a blocklist',
      bounce_classification: 'Reputation',
      ...MTA,
    }),
    list: 'blocks',
    suppression: { reason: '554 5.7.1 Service unavailable; Client host blocked', status: '5.7.1' },
  },
} as const

/** A processed copy on its way to the mailbox, as the delivery lane holds it. */
interface InFlight {
  ctx: Ctx
  recipient: Recipient
  outcome: ReturnType<typeof outcomeFor>
}

/**
 * Every copy waits the same delay between processed and its outcome: one lane per account state (a queue
 * served by one clock timer) instead of a clock timer and a closure per recipient that live half a second.
 */
const deliveryLane = lanesPerState(
  (ctx: Ctx) => new TimerLane<InFlight>(ctx.clock, ctx.provider, TIMING.deliveryMs, settle),
)

/** The copy's outcome: bounced, blocked, deferred, or delivered. */
function settle({ ctx, recipient, outcome }: InFlight): void {
  const { mail, base, rendered, email, p, xMessageId } = recipient
  switch (outcome) {
    case 'bounce':
    case 'block': {
      const refusal = REFUSALS[outcome]
      emit(ctx, base, 'bounce', refusal.event)
      addSuppression(ctx.state, refusal.list, email, ctx.clock.unix(), refusal.suppression)
      return
    }
    case 'defer':
      emit(ctx, base, 'deferred', DEFERRED)
      ctx.later(TIMING.deferralMs, () => deliver(ctx, mail, base, rendered, email, p, xMessageId, outcome))
      return
    default:
      deliver(ctx, mail, base, rendered, email, p, xMessageId, outcome)
  }
}

/** The copy reaches the mailbox: the delivered event, the inbox, then what the recipient does with it. */
function deliver(
  ctx: Ctx,
  mail: MailSendRequest,
  base: Base,
  rendered: RenderedMail,
  email: string,
  p: Personalization,
  xMessageId: string,
  outcome: ReturnType<typeof outcomeFor>,
): void {
  emit(ctx, base, 'delivered', DELIVERED)
  // Optional keys are set only when present (as spreads of `{}` did, without their generic copy per delivery).
  const meta: Record<string, unknown> = { xMessageId, sgMessageId: base.sg_message_id }
  if (rendered.from.name !== undefined) meta.fromName = rendered.from.name
  if (mail.template_id !== undefined) meta.templateId = mail.template_id
  meta.categories = mail.categories ?? []
  meta.customArgs = { ...mail.custom_args, ...p.custom_args }
  meta.cc = (p.cc ?? []).map((r) => r.email)
  if (mail.reply_to) meta.replyTo = mail.reply_to.email
  meta.attachments = (mail.attachments ?? []).map((a) => ({
    filename: a.filename,
    type: a.type,
    disposition: a.disposition ?? 'attachment',
    bytes: Buffer.from(a.content, 'base64').length,
  }))
  // The inbox keeps `html` only when it is set.
  ctx.inbox.capture({
    channel: 'email',
    to: email,
    from: rendered.from.email,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    meta,
  })
  engage(ctx, base, outcome, rendered)
}

function engage(ctx: Ctx, base: Base, outcome: ReturnType<typeof outcomeFor>, rendered: RenderedMail) {
  const agent = {
    useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)',
    ip: '203.0.113.7',
  }
  if (outcome === 'open' || outcome === 'click')
    ctx.later(TIMING.openMs, () => emit(ctx, base, 'open', { ...agent, sg_machine_open: false }))
  if (outcome === 'click') {
    const url = /https?:\/\/[^\s"'<>]+/.exec(rendered.html ?? rendered.text)?.[0] ?? 'https://example.com/'
    ctx.later(TIMING.clickMs, () =>
      emit(ctx, base, 'click', {
        ...agent,
        url,
        url_offset: { index: 0, type: rendered.html ? 'html' : 'text' },
      }),
    )
  }
  if (outcome === 'spamreport')
    ctx.later(TIMING.complaintMs, () => {
      emit(ctx, base, 'spamreport')
      addSuppression(ctx.state, 'spam_reports', base.email, ctx.clock.unix(), { ip: '203.0.113.7' })
    })
  const group =
    base.asm_group_id === undefined ? undefined : ctx.state.groups.get(base.asm_group_id as number)
  if (outcome === 'groupunsubscribe' && group)
    ctx.later(TIMING.complaintMs, () => {
      emit(ctx, base, 'group_unsubscribe', agent)
      group.suppressions.set(base.email.toLowerCase(), ctx.clock.unix())
    })
  if (outcome === 'unsubscribe' || (outcome === 'groupunsubscribe' && !group))
    ctx.later(TIMING.complaintMs, () => {
      emit(ctx, base, 'unsubscribe', agent)
      addSuppression(ctx.state, 'unsubscribes', base.email, ctx.clock.unix(), {})
    })
}
