import { remainCounts } from '../delivery.ts'
import { reply } from '../wire.ts'
import { aligoRoute } from './common.ts'

/** How many messages of each type the balance still buys (captured: numeric result_code 1, upper-case keys). */
export const remain = aligoRoute({
  operation: 'remain',
  path: '/remain/',
  handler: (ctx) => {
    const { SMS_CNT, LMS_CNT, MMS_CNT } = remainCounts(ctx.state)
    return reply({ result_code: 1, message: 'success', SMS_CNT, LMS_CNT, MMS_CNT })
  },
})
