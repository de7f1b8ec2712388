import type { ProviderContext } from '../core/provider.ts'
import { lanesPerState, TimerLane } from '../core/timer-lane.ts'
import {
  API_VERSION,
  type CallEvent,
  type CallStatus,
  type MessageStatus,
  moveCall,
  moveMessage,
  rfc2822,
  type StoredCall,
  type StoredMessage,
  type TwilioState,
} from './models.ts'
import { emitStatusCallback } from './webhooks.ts'

/**
 * Status lifecycles on the virtual clock (`ctx.later`), each step a named
 * transition from models.ts followed by a status callback: Twilio sends one
 * for every status change after creation, none for the initial status
 * ("Outbound Message Status in Status Callbacks").
 */

/** Virtual ms after creation at which an outbound message reaches each step. */
export const MESSAGE_TIMING = { queued: 50, sending: 100, sent: 500, final: 2_000 } as const

type Step = keyof typeof MESSAGE_TIMING

/** The steps after the queue: a message that fails never leaves Twilio, it fails from the queue at `sent`'s time. */
const DELIVERY_STEPS: readonly Step[] = ['sending', 'sent', 'final']
const FAILURE_STEPS: readonly Step[] = ['sent']

function stepsAfterQueue(message: StoredMessage): readonly Step[] {
  return message.outcome.status === 'failed' ? FAILURE_STEPS : DELIVERY_STEPS
}

/** The status a step moves a message to. */
function statusAt(step: Step, message: StoredMessage): MessageStatus {
  if (step === 'sent') return message.outcome.status === 'failed' ? 'failed' : 'sent'
  return step === 'final' ? message.outcome.status : step
}

export function startMessageLifecycle(ctx: ProviderContext<TwilioState>, message: StoredMessage): void {
  // A scheduled message waits for SendAt (it is queued then), then walks the same steps as one created then.
  if (message.wire.status === 'scheduled') {
    const base = Math.max(0, (message.sendAt ?? 0) - ctx.clock.now())
    messageStep(ctx, message, base, 'queued', true)
    for (const step of stepsAfterQueue(message))
      messageStep(ctx, message, base + MESSAGE_TIMING[step], statusAt(step, message))
    return
  }
  // Every other message starts now, so its steps wait the same delays as every other's: one lane per step.
  const lanes = lanesOf(ctx)
  const inFlight: InFlight = { ctx, message }
  if (message.wire.status === 'accepted') lanes.queued.add(inFlight)
  for (const step of stepsAfterQueue(message)) lanes[step].add(inFlight)
}

/** A message on its way, as its lanes hold it (one record shared by its steps). */
interface InFlight {
  ctx: ProviderContext<TwilioState>
  message: StoredMessage
}

/** One lane per step, per account state (a reset leaves the old lanes behind with the old messages). */
const lanesOf = lanesPerState((ctx: ProviderContext<TwilioState>): Record<Step, TimerLane<InFlight>> => {
  const lane = (step: Step) =>
    new TimerLane<InFlight>(ctx.clock, ctx.provider, MESSAGE_TIMING[step], (m) =>
      moveAndReport(m.ctx, m.message, statusAt(step, m.message)),
    )
  return { queued: lane('queued'), sending: lane('sending'), sent: lane('sent'), final: lane('final') }
})

/**
 * One step of a scheduled message's lifecycle, `at` virtual ms from now. A
 * module function rather than a closure made per message: under tsx every
 * named closure costs a `__name` define on each create.
 */
function messageStep(
  ctx: ProviderContext<TwilioState>,
  message: StoredMessage,
  at: number,
  to: MessageStatus,
  capture = false,
): void {
  ctx.later(at, () => moveAndReport(ctx, message, to, capture))
}

/** A step taken: the message moves on and its status callback goes out, unless it is gone or canceled. */
function moveAndReport(
  ctx: ProviderContext<TwilioState>,
  message: StoredMessage,
  to: MessageStatus,
  capture = false,
): void {
  const current = ctx.state.messages.get(message.id)
  // Deleted, reset or canceled meanwhile: the lifecycle stops.
  if (!current || current !== message || message.wire.status === 'canceled') return
  moveMessage(message, to, ctx.clock.now())
  if (capture) captureInInbox(ctx, message)
  messageCallback(ctx, message)
}

/** The recipient's phone "receives" the message: it lands in the inbox, unless it will never be delivered. */
export function captureInInbox(ctx: ProviderContext<TwilioState>, message: StoredMessage): void {
  if (message.outcome.status !== 'delivered') return
  const w = message.wire
  ctx.inbox.capture({
    channel: 'sms',
    to: w.to.startsWith('whatsapp:') ? w.to.slice('whatsapp:'.length) : w.to,
    from: w.from ?? w.messaging_service_sid ?? '',
    text: w.body,
    meta: {
      sid: w.sid,
      address: w.to,
      mediaUrls: message.mediaUrls,
      messagingServiceSid: w.messaging_service_sid,
    },
  })
}

/** Cancels a scheduled message (`Status=canceled`); Twilio reports the change like any other. */
export function cancelScheduled(ctx: ProviderContext<TwilioState>, message: StoredMessage): void {
  moveMessage(message, 'canceled', ctx.clock.now())
  messageCallback(ctx, message)
}

/** The documented keys of a message status callback ("Track the Message Status of Outbound Messages"). */
export function messageCallbackParams(message: StoredMessage, now: number): Record<string, string> {
  const w = message.wire
  const params: Record<string, string> = {
    AccountSid: w.account_sid,
    ApiVersion: API_VERSION,
    From: w.from ?? '',
    MessageSid: w.sid,
    MessageStatus: w.status,
    SmsSid: w.sid,
    SmsStatus: w.status,
    To: w.to,
  }
  if (w.messaging_service_sid) params.MessagingServiceSid = w.messaging_service_sid
  if (w.error_code !== null) params.ErrorCode = String(w.error_code)
  // Carrier DLR done date (YYMMDDhhmm) on delivered / undelivered SMS.
  if (w.status === 'delivered' || w.status === 'undelivered') params.RawDlrDoneDate = dlrDate(now)
  return params
}

function dlrDate(ms: number): string {
  const d = new Date(ms).toISOString() // 2026-11-21T02:37:35.000Z
  return d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10) + d.slice(11, 13) + d.slice(14, 16)
}

function messageCallback(ctx: ProviderContext<TwilioState>, message: StoredMessage) {
  // No StatusCallback: nothing is sent, so the params are not built (three times per message).
  if (!message.statusCallback) return
  emitStatusCallback(ctx, {
    type: `message.${message.wire.status}`,
    url: message.statusCallback,
    params: messageCallbackParams(message, ctx.clock.now()),
  })
}

// --------------------------------------------------------------------- calls

/** Virtual ms after creation: ringing, answered; an answered call then lasts `talkSeconds`. */
export const CALL_TIMING = { ringing: 1_000, answered: 5_000, unanswered: 30_000 } as const

export function startCallLifecycle(ctx: ProviderContext<TwilioState>, call: StoredCall): void {
  const at = (ms: number, fn: () => void): void => {
    const timer = ctx.later(ms, () => {
      if (ctx.state.calls.get(call.id) !== call) return
      fn()
    })
    call.timers.push(timer)
  }
  // `initiated` is the moment Twilio starts dialing: the call is still `queued`.
  at(0, () => callCallback(ctx, call, 'initiated'))
  if (call.outcome === 'failed') {
    at(CALL_TIMING.ringing, () => endCall(ctx, call, 'failed'))
    return
  }
  at(CALL_TIMING.ringing, () => {
    moveCall(call, 'ringing', ctx.clock.now())
    callCallback(ctx, call, 'ringing')
  })
  if (call.outcome === 'busy' || call.outcome === 'no-answer') {
    const outcome = call.outcome
    at(outcome === 'busy' ? CALL_TIMING.answered : CALL_TIMING.unanswered, () => endCall(ctx, call, outcome))
    return
  }
  at(CALL_TIMING.answered, () => {
    moveCall(call, 'in-progress', ctx.clock.now())
    callCallback(ctx, call, 'answered')
    at(call.talkSeconds * 1000, () => endCall(ctx, call, 'completed'))
  })
}

/** Ends a call (on its own, or by an update from the app) and sends the `completed` event. */
export function endCall(ctx: ProviderContext<TwilioState>, call: StoredCall, to: CallStatus): void {
  moveCall(call, to, ctx.clock.now())
  callCallback(ctx, call, 'completed')
}

/**
 * The call status callback keys Twilio documents for Voice webhooks, sent for
 * the events the app asked for in `StatusCallbackEvent` (default: completed).
 */
export function callCallbackParams(call: StoredCall, now: number): Record<string, string> {
  const w = call.wire
  const params: Record<string, string> = {
    AccountSid: w.account_sid,
    ApiVersion: API_VERSION,
    CallSid: w.sid,
    CallStatus: w.status,
    CallbackSource: 'call-progress-events',
    Called: w.to,
    Caller: w.from,
    Direction: w.direction,
    From: w.from,
    SequenceNumber: String(call.sequence),
    Timestamp: rfc2822(now),
    To: w.to,
  }
  if (w.duration !== null) {
    params.CallDuration = w.duration
    params.Duration = String(Math.ceil(Number(w.duration) / 60))
  }
  return params
}

function callCallback(ctx: ProviderContext<TwilioState>, call: StoredCall, event: CallEvent) {
  if (!call.events.includes(event)) return
  const params = callCallbackParams(call, ctx.clock.now())
  // The call resource is still `queued` while Twilio dials; the callback says `initiated`.
  if (event === 'initiated') params.CallStatus = 'initiated'
  call.sequence++
  emitStatusCallback(ctx, { type: `call.${event}`, url: call.statusCallback, params })
}
