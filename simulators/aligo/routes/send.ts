import { z } from 'zod'
import {
  BODY_BYTES,
  charge,
  checkSender,
  decideType,
  dispatch,
  handsetBody,
  mintDetailId,
  mintMid,
  mobileNumber,
  outcomeFor,
  parseDestination,
  parseReceivers,
  reservation,
  titleFor,
} from '../delivery.ts'
import { fail } from '../errors.ts'
import { MsgType, type Recipient, type SentMessage } from '../models.ts'
import { eucKrBytes, reply } from '../wire.ts'
import { aligoRoute, type Ctx, field, images, parseParams, yn } from './common.ts'

/** `msg_type` as sent: upper-cased; anything but SMS/LMS/MMS is a -102. */
const msgType = z
  .string()
  .optional()
  .transform((v) => (v ? v.trim().toUpperCase() : undefined))
  .pipe(MsgType.optional())

const SendParams = z.object({
  sender: field,
  receiver: field,
  msg: field,
  msg_type: msgType,
  title: field,
  destination: field,
  rdate: field,
  rtime: field,
  testmode_yn: yn,
})

const SendMassParams = z.object({
  sender: field,
  cnt: field,
  msg_type: msgType,
  title: field,
  rdate: field,
  rtime: field,
  testmode_yn: yn,
})

function checkBody(msg: string | undefined, label = 'msg'): string {
  if (!msg?.length) fail('-102', `메시지 내용(${label})을 입력해 주세요.`)
  if (eucKrBytes(msg) > BODY_BYTES) fail('-102', `메시지 내용은 ${BODY_BYTES}byte 이하로 입력해 주세요.`)
  return msg
}

/** The success answer, with the captured mixed types: result_code "1" and msg_id as strings, counts as numbers. */
function sendReply(
  message: Pick<SentMessage, 'id' | 'reservedFor' | 'type'>,
  success: number,
  errors: number,
) {
  return reply({
    result_code: '1',
    message: message.reservedFor === undefined ? 'success' : 'reserved',
    msg_id: message.id,
    success_cnt: success,
    error_cnt: errors,
    msg_type: message.type,
  })
}

/** What a send route decided; {@link newMessage} adds the id, the time and the state. */
interface MessageFields {
  type: SentMessage['type']
  sender: string
  msg: string
  title: string | undefined
  reservedFor: number | undefined
  recipients: Recipient[]
  errorCount: number
}

/**
 * The stored message, its optional keys present only when set. Built key by
 * key rather than by spreading conditional parts: a spread of `{}` or
 * `{ title }` copies through the slow generic path on every send.
 */
function newMessage(ctx: Ctx, fields: MessageFields): SentMessage {
  const message = { type: fields.type, sender: fields.sender, msg: fields.msg } as SentMessage
  if (fields.title) message.title = fields.title
  if (fields.reservedFor !== undefined) message.reservedFor = fields.reservedFor
  message.recipients = fields.recipients
  message.errorCount = fields.errorCount
  message.id = mintMid(ctx)
  message.createdAt = ctx.clock.now()
  message.state = fields.reservedFor === undefined ? 'sent' : 'reserved'
  message.charged = 0
  return message
}

/** One receiver's copy; `name` and `title` present only when set (as {@link newMessage} builds a message). */
function newRecipient(
  ctx: Ctx,
  receiver: string,
  name: string | undefined,
  title: string | undefined,
  text: string,
): Recipient {
  const recipient = { id: mintDetailId(ctx), receiver } as Recipient
  if (name !== undefined) recipient.name = name
  if (title) recipient.title = title
  recipient.text = text
  recipient.outcome = outcomeFor(receiver)
  return recipient
}

/** The handset text and title of one `%고객명%` name (undefined: no name), made once per distinct name. */
interface Rendered {
  text: string
  title: string | undefined
}

function renderFor(
  rendered: Map<string | undefined, Rendered>,
  type: MsgType,
  msg: string,
  title: string | undefined,
  name: string | undefined,
): Rendered {
  let out = rendered.get(name)
  if (!out) {
    const text = handsetBody(type, name === undefined ? msg : msg.replaceAll('%고객명%', name))
    out = { text, title: titleFor(type, title, text) }
    rendered.set(name, out)
  }
  return out
}

export const send = aligoRoute({
  operation: 'send',
  path: '/send/',
  handler: (ctx, params, req) => {
    const input = parseParams(SendParams, params)
    const sender = checkSender(ctx, input.sender)
    if (!input.receiver?.trim()) fail('-301', '수신번호(receiver)를 입력해 주세요.')
    const msg = checkBody(input.msg)
    const { valid, errors } = parseReceivers(input.receiver)
    if (valid.length === 0) fail('-301')
    const type = decideType(input.msg_type, msg, images(req).length > 0)
    const reservedFor = reservation(ctx, input.rdate, input.rtime)
    const names = parseDestination(input.destination)
    // One text per distinct name: a 1000-receiver send converts the body once, not 1000 times.
    const rendered = new Map<string | undefined, Rendered>()
    const recipients: Recipient[] = []
    for (const receiver of valid) {
      const name = names.get(receiver)
      const { text, title } = renderFor(rendered, type, msg, input.title, name)
      recipients.push(newRecipient(ctx, receiver, name, title, text))
    }
    const charged = charge(ctx, type, recipients.length, input.testmode_yn)
    const message = newMessage(ctx, {
      type,
      sender,
      msg,
      title: titleFor(type, input.title, msg),
      reservedFor,
      recipients,
      errorCount: errors,
    })
    message.charged = charged
    dispatch(ctx, message, input.testmode_yn)
    return sendReply(message, recipients.length, errors)
  },
})

/** Different text per receiver: `rec_1`/`msg_1` … `rec_cnt`/`msg_cnt` (1–500); `msg_type` is required here. */
export const sendMass = aligoRoute({
  operation: 'send_mass',
  path: '/send_mass/',
  handler: (ctx, params, req) => {
    const input = parseParams(SendMassParams, params)
    const sender = checkSender(ctx, input.sender)
    const cnt = Number(input.cnt)
    if (!input.cnt || !Number.isInteger(cnt) || cnt < 1 || cnt > 500)
      fail('-102', '전송건수(cnt)는 1~500 사이로 입력해 주세요.')
    if (!input.msg_type) fail('-102', '메시지 타입(msg_type)을 입력해 주세요.')
    const type = input.msg_type === 'MMS' && images(req).length === 0 ? 'LMS' : input.msg_type
    const reservedFor = reservation(ctx, input.rdate, input.rtime)
    const recipients: Recipient[] = []
    let errors = 0
    for (let i = 1; i <= cnt; i++) {
      const msg = checkBody(params[`msg_${i}`], `msg_${i}`)
      const receiver = mobileNumber(params[`rec_${i}`] ?? '')
      if (!receiver) {
        errors++
        continue
      }
      const text = handsetBody(type, msg)
      recipients.push(newRecipient(ctx, receiver, undefined, titleFor(type, input.title, text), text))
    }
    if (recipients.length === 0) fail('-301')
    const charged = charge(ctx, type, recipients.length, input.testmode_yn)
    const message = newMessage(ctx, {
      type,
      sender,
      msg: params.msg_1 ?? '',
      title: titleFor(type, input.title, params.msg_1 ?? ''),
      reservedFor,
      recipients,
      errorCount: errors,
    })
    message.charged = charged
    dispatch(ctx, message, input.testmode_yn)
    return sendReply(message, recipients.length, errors)
  },
})
