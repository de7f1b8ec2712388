import { defineProvider } from '../core/provider.ts'
import { authenticate, configureTrigger } from './accounts.ts'
import { aligoErrors, kakaoError, smsError } from './errors.ts'
import { type AligoState, createState } from './models.ts'
import { alimtalkSend } from './routes/alimtalk.ts'
import { cancel, kakaoCancel } from './routes/cancel.ts'
import { heartinfo, token } from './routes/kakao-account.ts'
import { historyDetail, historyList } from './routes/kakao-history.ts'
import { list, smsList } from './routes/list.ts'
import { remain } from './routes/remain.ts'
import { send, sendMass } from './routes/send.ts'
import { BODY_LIMIT_BYTES } from './test-values.ts'
import { isKakaoPath, readParams } from './wire.ts'

export { configureAligoAccount } from './accounts.ts'

/**
 * Aligo (apis.aligo.in SMS/LMS/MMS and kakaoapi.aligo.in AlimTalk) on one
 * port: the two hosts' paths do not collide. Read README.md for what is
 * faithful and what is not.
 */
export const aligo = defineProvider<AligoState>({
  name: 'aligo',
  title: 'Aligo',
  defaultPort: 4702,
  createState,
  // What Aligo's PHP reads as parameters ($_REQUEST): handlers, fault rules and the journal see this.
  decode: readParams,
  authenticate,
  routes: [
    send,
    sendMass,
    remain,
    list,
    smsList,
    cancel,
    token,
    alimtalkSend,
    historyList,
    historyDetail,
    heartinfo,
    kakaoCancel,
  ],
  errors: aligoErrors,
  responses: {
    // nginx's page for an unknown path (UNVERIFIED: the real body is not captured).
    notFound: () => ({
      status: 404,
      headers: { 'content-type': 'text/html' },
      body: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    }),
    // Bodies PHP cannot parse (JSON, broken multipart) and bodies past post_max_size reach the script
    // without fields, so the credentials are "missing". Aligo documents POST only; other methods get the
    // same answer (UNVERIFIED: what the real server does with a GET is not captured).
    methodNotAllowed: (req) => missingCredentials(req.path),
    invalidBody: (req) => missingCredentials(req.path),
    invalidInput: (req) => missingCredentials(req.path),
    internalError: (req) =>
      isKakaoPath(req.path)
        ? kakaoError('시스템 오류입니다.')
        : smsError('-102', { message: '시스템 오류입니다.' }),
  },
  bodyLimit: BODY_LIMIT_BYTES,
  triggers: { 'account.configure': configureTrigger },
})

function missingCredentials(path: string) {
  if (isKakaoPath(path)) return kakaoError('계정 아이디(=userid) 파라메더 정보가 전달되지 않았습니다.')
  return smsError('-101', {}, path.startsWith('/remain') ? { SMS_CNT: 0, LMS_CNT: 0, MMS_CNT: 0 } : {})
}
