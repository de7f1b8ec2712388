import { remainCounts } from '../delivery.ts'
import { failKakao } from '../errors.ts'
import { reply } from '../wire.ts'
import { aligoRoute } from './common.ts'

/** Token lifetime units as Aligo names them: s(econds), i (minutes), h, d, m(onths), y. */
const UNITS: Record<string, number> = {
  s: 1_000,
  i: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  m: 30 * 86_400_000,
  y: 365 * 86_400_000,
}

/**
 * `/akv10/token/create/{time}/{unit}/`: a token valid `time` units (s, i, h,
 * d, m, y). The current spec no longer lists `token` on alimtalk/send, so a
 * token is issued but not required.
 */
export const token = aligoRoute({
  operation: 'akv10.token.create',
  path: '/akv10/token/create/:time/:unit/',
  handler: (ctx, _params, req) => {
    const time = Number(req.params.time)
    const unit = UNITS[req.params.unit ?? '']
    if (!Number.isInteger(time) || time < 1 || unit === undefined) failKakao('토큰 유효기간을 확인해 주세요.')
    const value = ctx.ids.mint('', 64, 'alnum')
    ctx.state.tokens.push({ token: value, expiresAt: ctx.clock.now() + time * unit })
    return reply({
      code: 0,
      message: '정상적으로 생성하였습니다.',
      token: value,
      urlencode: encodeURIComponent(value),
    })
  },
})

/** Remaining counts per type, AlimTalk included (Aligo's Kakao spec page example: code 1 and a `list` object). */
export const heartinfo = aligoRoute({
  operation: 'akv10.heartinfo',
  path: '/akv10/heartinfo/',
  handler: (ctx) => reply({ code: 1, message: '', list: remainCounts(ctx.state) }),
})
