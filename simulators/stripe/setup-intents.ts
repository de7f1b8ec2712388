import { cardOf } from './charges.ts'
import { declineMessage, docUrl } from './errors.ts'
import type { Customer, PaymentMethod, SetupIntent } from './models.ts'
import { attach } from './payments.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Saving a card for later: the SetupIntent machine. A card that declines fails
 * the setup; one that wants 3-D Secure on setup (3155, 3184) asks for it once;
 * success attaches the card to the customer.
 */
export type SetupOutcome =
  | { kind: 'succeeded' | 'requires_action' }
  | { kind: 'failed'; error: Record<string, unknown> }

export function confirmSetup(
  src: EventSource,
  si: SetupIntent,
  pm: PaymentMethod,
  returnUrl?: string,
): SetupOutcome {
  const { ctx } = src
  si.payment_method = pm.id
  if (returnUrl) si._returnUrl = returnUrl
  const card = cardOf(pm)
  if (!card) return succeed(src, si, pm)
  if (card.behaviour.kind === 'authenticate' || card.behaviour.kind === 'authenticate-on-session') {
    const url = `${ctx.baseUrl}/3ds/${si.id}`
    si.status = 'requires_action'
    si.next_action = returnUrl
      ? { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url } }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: pm.id },
        }
    emitEvent(src, 'setup_intent.requires_action', si)
    return { kind: 'requires_action' }
  }
  if (card.behaviour.kind === 'decline' && !card.attachOnly)
    return fail(
      src,
      si,
      pm,
      card.behaviour.code,
      card.behaviour.declineCode,
      declineMessage(card.behaviour.declineCode),
    )
  return succeed(src, si, pm)
}

export function completeSetupAuthentication(src: EventSource, si: SetupIntent, pass: boolean): SetupOutcome {
  const pm = si.payment_method ? src.ctx.state.paymentMethods.get(si.payment_method) : undefined
  if (si.status !== 'requires_action' || !pm) return { kind: 'succeeded' }
  si.next_action = null
  if (pass) return succeed(src, si, pm)
  return fail(
    src,
    si,
    pm,
    'setup_intent_authentication_failure',
    undefined,
    'The latest attempt to set up the payment method has failed because authentication failed.',
  )
}

function succeed(src: EventSource, si: SetupIntent, pm: PaymentMethod): SetupOutcome {
  const customer = si.customer
    ? (src.ctx.state.customers.get(si.customer) as Customer | undefined)
    : undefined
  if (customer) attach(src, pm, customer)
  si.status = 'succeeded'
  si.last_setup_error = null
  si.next_action = null
  emitEvent(src, 'setup_intent.succeeded', si)
  return { kind: 'succeeded' }
}

function fail(
  src: EventSource,
  si: SetupIntent,
  pm: PaymentMethod,
  code: string,
  declineCode: string | undefined,
  message: string,
): SetupOutcome {
  const error: Record<string, unknown> = {
    code,
    ...(declineCode ? { decline_code: declineCode } : {}),
    doc_url: docUrl(code),
    message,
    payment_method: pm,
    type: declineCode ? 'card_error' : 'invalid_request_error',
  }
  si.status = 'requires_payment_method'
  si.payment_method = null
  si.last_setup_error = error
  emitEvent(src, 'setup_intent.setup_failed', si)
  return { kind: 'failed', error }
}
