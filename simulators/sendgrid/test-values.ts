/**
 * Recipient and key conventions that decide outcomes. SendGrid has no magic
 * addresses (only sandbox mode); these are standin's own, opt-in by address,
 * so a journey picks a behaviour with its faker-made email:
 * `alice+bounce@example.com` or `bounce@example.com` both bounce.
 */
export type Outcome =
  | 'deliver'
  | 'bounce'
  | 'block'
  | 'defer'
  | 'open'
  | 'click'
  | 'spamreport'
  | 'unsubscribe'
  | 'groupunsubscribe'

/** Keyword (as the local part, or after a `+`) → outcome. Order matters: the first keyword found wins. */
export const RECIPIENT_CONVENTIONS: Record<Exclude<Outcome, 'deliver'>, string> = {
  bounce: 'hard bounce (550 5.1.1): bounce event, address added to the bounces list',
  block: 'block (554 5.7.1): bounce event with type "blocked", address added to the blocks list',
  defer: 'deferred once (451 4.4.1), delivered 60 s (virtual) later',
  open: 'delivered, then opened 30 s later',
  click: 'delivered, opened 30 s later, first link clicked 60 s later',
  spamreport: 'delivered, then reported as spam 60 s later: address added to spam reports',
  unsubscribe: 'delivered, then unsubscribed 60 s later: address added to global unsubscribes',
  groupunsubscribe:
    "delivered, then left the send's asm group 60 s later (group_unsubscribe); without asm, a global unsubscribe",
}

export function outcomeFor(email: string): Outcome {
  const local = email.slice(0, email.lastIndexOf('@')).toLowerCase()
  const [base, ...tags] = local.split('+')
  for (const keyword of Object.keys(RECIPIENT_CONVENTIONS) as Exclude<Outcome, 'deliver'>[]) {
    if (base === keyword || tags.includes(keyword)) return keyword
  }
  return 'deliver'
}

/** Virtual milliseconds between the steps of a message's life. */
export const TIMING = {
  /** processed → delivered / bounce / deferred. */
  deliveryMs: 500,
  /** deferred → delivered. */
  deferralMs: 60_000,
  openMs: 30_000,
  clickMs: 60_000,
  complaintMs: 60_000,
} as const

/**
 * API keys: `SG.<key id>.<secret>`; the key id names the account (the state
 * partition), so two keys with the same id see the same templates and lists.
 * - key id `revoked…` → 401 (invalid, expired, or revoked);
 * - key id `nomail…` → 403 `access forbidden` on Mail Send (a key without the Mail Send scope).
 * From addresses whose local part starts with `unverified` → 403 (not a verified Sender Identity).
 */
export function keyAccount(key: string): string | undefined {
  if (!key.startsWith('SG.')) return undefined
  const id = key.slice(3).split('.')[0] ?? ''
  return id.length > 0 ? id : undefined
}

export const isRevoked = (account: string) => account.toLowerCase().startsWith('revoked')
export const lacksMailScope = (account: string) => account.toLowerCase().startsWith('nomail')
export const isUnverifiedSender = (email: string) => email.toLowerCase().startsWith('unverified')
