import type { MailSendRequest, SendgridState, SuppressionEntry, SuppressionKind } from './models.ts'

/** Adds (or refreshes) an address on one of the account's suppression lists; addresses are kept lower-case. */
export function addSuppression(
  state: SendgridState,
  kind: SuppressionKind,
  email: string,
  created: number,
  extra: Omit<SuppressionEntry, 'email' | 'created'>,
): SuppressionEntry {
  const entry: SuppressionEntry = { created, email: email.toLowerCase(), ...extra }
  state.suppressions[kind].set(entry.email, entry)
  return entry
}

type BypassSetting =
  | 'bypass_list_management'
  | 'bypass_spam_management'
  | 'bypass_bounce_management'
  | 'bypass_unsubscribe_management'

/** Whether a mail setting lets the send past one list (a module function: a closure cost a tsx `__name` per recipient). */
function bypasses(settings: MailSendRequest['mail_settings'], name: BypassSetting): boolean {
  return settings?.[name]?.enable === true || settings?.bypass_list_management?.enable === true
}

/**
 * Why a send to `email` is dropped, or undefined when it goes out. SendGrid
 * drops addresses on the global unsubscribe, bounce, spam report and invalid
 * lists (blocks are not honoured: a block is temporary), unless a bypass
 * mail setting says otherwise.
 */
export function suppressionReason(
  state: SendgridState,
  email: string,
  settings: MailSendRequest['mail_settings'],
  groupId?: number,
): string | undefined {
  const key = email.toLowerCase()
  const s = state.suppressions
  if (s.unsubscribes.has(key) && !bypasses(settings, 'bypass_unsubscribe_management'))
    return 'Unsubscribed Address'
  // bypass_unsubscribe_management skips only the global list; group unsubscribes still hold.
  if (
    groupId !== undefined &&
    state.groups.get(groupId)?.suppressions.has(key) &&
    settings?.bypass_list_management?.enable !== true
  )
    return 'Unsubscribed Address'
  if (s.bounces.has(key) && !bypasses(settings, 'bypass_bounce_management')) return 'Bounced Address'
  if (s.spam_reports.has(key) && !bypasses(settings, 'bypass_spam_management'))
    return 'Spam Reporting Address'
  if (s.invalid_emails.has(key) && !bypasses(settings, 'bypass_list_management')) return 'Invalid'
  return undefined
}
