import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import type { ProviderContext } from '../../core/provider.ts'
import { messageOf } from '../errors.ts'
import { clientKeyAccount } from '../keys.ts'
import type { TossState } from '../models.ts'
import { billingPage, errorPage, redirectTo } from '../page.ts'
import { route } from './shared.ts'

/**
 * The billing-authorization window: what `payment.requestBillingAuth({ method: 'CARD',
 * successUrl, failUrl })` opens. `GET /v1/billing-window?clientKey=…&customerKey=…`;
 * registering a card redirects to `successUrl?customerKey=…&authKey=…` (the
 * authKey is one-time), canceling to `failUrl?code=PAY_PROCESS_CANCELED&message=…`.
 */
const BillingQuery = z.object({
  clientKey: z.string(),
  customerKey: z.string().regex(/^[A-Za-z0-9\-_=.@]{2,50}$/),
  successUrl: z.url({ protocol: /^https?$/ }),
  failUrl: z.url({ protocol: /^https?$/ }),
  method: z.enum(['CARD', '카드']).optional(),
  customerEmail: z.string().max(100).optional(),
  customerName: z.string().max(100).optional(),
})

const BillingForm = BillingQuery.extend({
  action: z.enum(['register', 'cancel']),
  cardNumber: z.string().optional(),
})

function parse<S extends z.ZodType>(schema: S, source: unknown) {
  const parsed = schema.safeParse(source ?? {})
  if (parsed.success) return { data: parsed.data as z.output<S> }
  const field = String(parsed.error.issues[0]?.path[0] ?? 'request')
  return { error: errorPage(400, 'INVALID_PARAMETERS', `잘못된 파라미터입니다. (${field})`) }
}

function open(req: PlainRequest) {
  if (!clientKeyAccount(req.query.clientKey))
    return errorPage(401, 'UNAUTHORIZED_KEY', messageOf('UNAUTHORIZED_KEY'))
  const q = parse(BillingQuery, req.query)
  if (q.error) return q.error
  const { clientKey, customerKey, successUrl, failUrl } = q.data
  return billingPage({ clientKey, customerKey, successUrl, failUrl })
}

function submit(req: PlainRequest, ctx: ProviderContext<TossState>) {
  const key = clientKeyAccount((req.body as Record<string, unknown> | undefined)?.clientKey)
  if (!key) return errorPage(401, 'UNAUTHORIZED_KEY', messageOf('UNAUTHORIZED_KEY'))
  const form = parse(BillingForm, req.body)
  if (form.error) return form.error
  const f = form.data
  if (f.action === 'cancel')
    return redirectTo(f.failUrl, {
      code: 'PAY_PROCESS_CANCELED',
      message: '사용자에 의해 결제가 취소되었습니다.',
    })
  const cardNumber = (f.cardNumber ?? '').replace(/[\s-]/g, '')
  if (!/^\d{15,16}$/.test(cardNumber))
    return errorPage(400, 'INVALID_CARD_NUMBER', '카드번호를 다시 확인해주세요.')
  const authKey = ctx.ids.mint('bln_', 32)
  ctx.forAccount(key.account).state.authKeys.set(authKey, {
    authKey,
    customerKey: f.customerKey,
    cardNumber,
    createdAt: ctx.clock.now(),
    used: false,
  })
  return redirectTo(f.successUrl, { customerKey: f.customerKey, authKey })
}

export const billingWindowRoutes = [
  route({
    operation: 'billingWindow.open',
    method: 'GET',
    path: '/v1/billing-window',
    auth: false,
    handler: open,
  }),
  route({
    operation: 'billingWindow.submit',
    method: 'POST',
    path: '/v1/billing-window',
    auth: false,
    idempotent: false,
    handler: submit,
  }),
]
