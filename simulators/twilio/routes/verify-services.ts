import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import type { ProviderContext } from '../../core/provider.ts'
import { twilioError } from '../errors.ts'
import { iso8601, type TwilioState, type VerifyService } from '../models.ts'
import { verifyPage } from '../paging.ts'
import { flag, int, Paging, param } from '../params.ts'
import { notFound, twilioRoute, verifyBase } from '../route.ts'

/** Verify v2 services: `/v2/Services` on verify.twilio.com (or `/verify/v2/Services` on any host). */

const ServiceFields = {
  FriendlyName: param,
  CodeLength: int(4, 10),
  LookupEnabled: flag,
  SkipSmsToLandlines: flag,
  DtmfInputRequired: flag,
  TtsName: param,
  Psd2Enabled: flag,
  DoNotShareWarningEnabled: flag,
  CustomCodeEnabled: flag,
}
const ServiceCreate = z.object(ServiceFields)

function servicesUrl() {
  return `${verifyBase()}/Services`
}

/** The service a Verify URL names, or Twilio's 20404 for the URL. */
export function findService(req: PlainRequest, ctx: ProviderContext<TwilioState>): VerifyService {
  const sid = req.params.ServiceSid ?? req.params.Sid ?? ''
  const service = ctx.state.services.get(sid)
  if (!service) throw notFound(req)
  return service.wire
}

function apply(service: VerifyService, input: z.output<typeof ServiceCreate>) {
  if (input.FriendlyName !== undefined) service.friendly_name = input.FriendlyName
  if (input.CodeLength !== undefined) service.code_length = input.CodeLength
  if (input.LookupEnabled !== undefined) service.lookup_enabled = input.LookupEnabled
  if (input.SkipSmsToLandlines !== undefined) service.skip_sms_to_landlines = input.SkipSmsToLandlines
  if (input.DtmfInputRequired !== undefined) service.dtmf_input_required = input.DtmfInputRequired
  if (input.TtsName !== undefined) service.tts_name = input.TtsName
  if (input.Psd2Enabled !== undefined) service.psd2_enabled = input.Psd2Enabled
  if (input.DoNotShareWarningEnabled !== undefined)
    service.do_not_share_warning_enabled = input.DoNotShareWarningEnabled
  if (input.CustomCodeEnabled !== undefined) service.custom_code_enabled = input.CustomCodeEnabled
}

export const verifyServiceRoutes = [
  ...twilioRoute({
    operation: 'verify.services.create',
    method: 'POST',
    product: 'verify',
    path: '/Services',
    input: ServiceCreate,
    handler: (_req, ctx, input) => {
      if (!input.FriendlyName) throw twilioError('60200', { param: 'FriendlyName' })
      const sid = ctx.ids.mint('VA', 32, 'hex')
      const now = iso8601(ctx.clock.now())
      const url = `${servicesUrl()}/${sid}`
      const service: VerifyService = {
        sid,
        account_sid: ctx.state.accountSid,
        friendly_name: input.FriendlyName,
        code_length: 6,
        lookup_enabled: false,
        psd2_enabled: false,
        skip_sms_to_landlines: false,
        dtmf_input_required: true,
        tts_name: null,
        do_not_share_warning_enabled: false,
        custom_code_enabled: false,
        push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
        totp: { issuer: input.FriendlyName, time_step: 30, code_length: 6, skew: 1 },
        default_template_sid: null,
        whatsapp: { msg_service_sid: null, from: null },
        verify_event_subscription_enabled: false,
        date_created: now,
        date_updated: now,
        url,
        links: {
          verification_checks: `${url}/VerificationCheck`,
          verifications: `${url}/Verifications`,
          rate_limits: `${url}/RateLimits`,
          messaging_configurations: `${url}/MessagingConfigurations`,
          entities: `${url}/Entities`,
          webhooks: `${url}/Webhooks`,
          access_tokens: `${url}/AccessTokens`,
        },
      }
      apply(service, input)
      ctx.state.services.insert({ id: sid, wire: service })
      return { status: 201, body: service }
    },
  }),
  ...twilioRoute({
    operation: 'verify.services.list',
    method: 'GET',
    product: 'verify',
    path: '/Services',
    input: z.object(Paging),
    handler: (_req, ctx, input) => ({
      status: 200,
      body: verifyPage(ctx.state.services, {
        key: 'services',
        url: servicesUrl(),
        pageSize: input.PageSize,
        page: input.Page,
        wire: (s) => s.wire,
      }),
    }),
  }),
  ...twilioRoute({
    operation: 'verify.services.fetch',
    method: 'GET',
    product: 'verify',
    path: '/Services/:Sid',
    handler: (req, ctx) => ({ status: 200, body: findService(req, ctx) }),
  }),
  ...twilioRoute({
    operation: 'verify.services.update',
    method: 'POST',
    product: 'verify',
    path: '/Services/:Sid',
    input: ServiceCreate,
    handler: (req, ctx, input) => {
      const service = findService(req, ctx)
      apply(service, input)
      service.date_updated = iso8601(ctx.clock.now())
      return { status: 200, body: service }
    },
  }),
  ...twilioRoute({
    operation: 'verify.services.delete',
    method: 'DELETE',
    product: 'verify',
    path: '/Services/:Sid',
    handler: (req, ctx) => {
      const service = findService(req, ctx)
      ctx.state.services.delete(service.sid)
      for (const v of ctx.state.verifications.filter((v) => v.wire.service_sid === service.sid))
        ctx.state.verifications.delete(v.id)
      return { status: 204 }
    },
  }),
]
