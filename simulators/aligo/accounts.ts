import type { PlainRequest } from '../core/http.ts'
import type { ProviderServices, TriggerSpec } from '../core/provider.ts'
import type { ProviderRuntime } from '../core/runtime.ts'
import { fail, failKakao, KAKAO_MESSAGES } from './errors.ts'
import {
  type AccountConfig,
  AccountConfig as AccountConfigSchema,
  type AligoState,
  applyConfig,
  describeAccount,
} from './models.ts'
import { INVALID_KEY } from './test-values.ts'
import { isKakaoPath, type Params } from './wire.ts'

/**
 * Accounts. Aligo has no auth header: `key` + `user_id` (SMS API; the result
 * pages call it `userid`, both work) or `apikey` + `userid` (Kakao API) are
 * form fields. The account (state partition) is the user id; the key is the
 * one bound to it (configured, or the first key the account is used with).
 */
export function authenticate(req: PlainRequest, services: ProviderServices<AligoState>): string {
  const p = req.body as Params
  const kakao = isKakaoPath(req.path)
  const user = kakao ? p.userid : (p.user_id ?? p.userid)
  const key = kakao ? p.apikey : p.key
  if (kakao) {
    if (!user) failKakao(KAKAO_MESSAGES.noUserid)
    if (!plausibleKey(key)) failKakao(KAKAO_MESSAGES.unknownKey)
  } else if (!user || !plausibleKey(key)) fail('-101', undefined, authExtra(req.path))
  authorize(services.store.get(user), req, key)
  return user
}

/** Real keys are 32 lowercase alphanumerics; any printable token passes, the documented invalid one never does. */
function plausibleKey(key: string | undefined): key is string {
  return key !== undefined && key !== INVALID_KEY && /^[\x21-\x7e]{1,64}$/.test(key)
}

/** `/remain/` carries zero counts even in its auth error (captured). */
function authExtra(path: string): Record<string, unknown> {
  return path.startsWith('/remain') ? { SMS_CNT: 0, LMS_CNT: 0, MMS_CNT: 0 } : {}
}

/**
 * The checks that need the account's state: the key bound to the user id and
 * the console's IP allow-list (refused as `인증오류입니다.-IP`, as captured).
 */
function authorize(state: AligoState, req: PlainRequest, key: string): void {
  const kakao = isKakaoPath(req.path)
  if (state.apiKey === undefined) state.apiKey = key
  else if (state.apiKey !== key) {
    if (kakao) failKakao(KAKAO_MESSAGES.unknownKey)
    fail('-101', undefined, authExtra(req.path))
  }
  if (state.allowedIps && !state.allowedIps.has(callerIp(req))) {
    if (kakao) failKakao(KAKAO_MESSAGES.auth)
    fail('-101', '인증오류입니다.-IP', authExtra(req.path))
  }
}

function callerIp(req: PlainRequest): string {
  const ip = req.headers['x-forwarded-for']?.split(',')[0]?.trim() || req.remoteAddress || ''
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}

/**
 * Sets what Aligo's console would: balance, registered senders, the bound
 * key, IP allow-list, prices, Kakao sender keys and templates.
 *
 * @example
 * const sims = await startProviders([aligo])
 * configureAligoAccount(sims.runtime('aligo'), 'shop01', { points: 50, addSenders: ['01055554444'] })
 */
export function configureAligoAccount(runtime: ProviderRuntime, userId: string, config: AccountConfig) {
  const state = runtime.store.get(userId) as AligoState
  applyConfig(state, AccountConfigSchema.parse(config))
  return describeAccount(state)
}

/** The same through the control plane: `POST /_standin/webhooks/events {provider:'aligo', account, event:'account.configure', params}`. */
export const configureTrigger: TriggerSpec<AligoState> = {
  summary:
    'configure the account (user_id): points, senders, addSenders, key, allowedIps, prices, senderKeys, templates',
  run: (ctx, params) => {
    applyConfig(ctx.state, AccountConfigSchema.parse(params))
    return describeAccount(ctx.state)
  },
}
