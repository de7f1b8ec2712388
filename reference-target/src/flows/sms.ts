import type { Ctx } from '../context.ts'
import { newId } from '../ids.ts'
import type { ProviderCallError } from '../providers/retry.ts'

/**
 * Sends one SMS, failing over to the next gateway of the phone's route
 * (ctx.gateways.smsRoute) when the first errors or times out. The first gets
 * one attempt (failover is the faster retry); the fallback gets the full
 * retry policy.
 */
export async function sendSms(
  ctx: Ctx,
  input: { to: string; body: string; purpose: string },
): Promise<{ provider: string; id: string }> {
  let route = ctx.gateways.smsRoute(input.to)
  if (ctx.defects.has('no-sms-failover')) route = route.slice(0, 1)
  let lastError: unknown
  for (const [i, gateway] of route.entries()) {
    const { provider } = gateway
    const id = newId('sms')
    const now = ctx.clock.now()
    try {
      const options = i === 0 && route.length > 1 ? { maxAttempts: 1 } : {}
      const sent = await gateway.send({ to: input.to, body: input.body, publicUrl: ctx.publicUrl() }, options)
      await ctx.db.query(
        `INSERT INTO sms_messages (id, provider, to_phone, purpose, provider_message_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [id, provider, input.to, input.purpose, sent.id, sent.status ?? 'sent', now],
      )
      return { provider, id }
    } catch (error) {
      lastError = error
      ctx.log.warn({ provider, err: (error as ProviderCallError).message }, 'sms send failed')
      await ctx.db.query(
        `INSERT INTO sms_messages (id, provider, to_phone, purpose, status, error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'failed', $5, $6, $6)`,
        [id, provider, input.to, input.purpose, String((error as Error).message).slice(0, 500), now],
      )
    }
  }
  throw lastError
}
