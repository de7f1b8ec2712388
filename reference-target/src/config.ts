import { z } from 'zod'
import { DefectName } from './defects.ts'

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes')
const local = (port: number) => `http://127.0.0.1:${port}`

/**
 * Every setting of the reference target, read once from the environment.
 * Defaults point at standin's default ports and at the test credentials
 * standin's simulators accept, so `npx tsx reference-target/src/server.ts`
 * works next to a running hub with no configuration at all.
 */
export const Config = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4800),
  host: z.string().default('127.0.0.1'),
  /** Where browsers and providers reach this app (links in emails, webhook URLs, Twilio signature URL). */
  publicUrl: z.string().optional(),
  /** PostgreSQL when set; otherwise embedded PGlite (in memory, or in `dataDir`). */
  databaseUrl: z.string().optional(),
  dataDir: z.string().optional(),
  defects: z
    .union([z.string(), z.array(z.string())])
    .default('')
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(DefectName)),
  /** Enables POST /_test/clock so journeys can bill call minutes in seconds. Never on in production. */
  testClock: bool.default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),

  twilio: z
    .object({
      baseUrl: z.string().default(local(4701)),
      accountSid: z
        .string()
        .startsWith('AC')
        .default(`AC${'0'.repeat(31)}1`),
      authToken: z.string().default('standin_twilio_auth_token'),
      from: z.string().default('+15005550006'),
    })
    .prefault({}),
  aligo: z
    .object({
      baseUrl: z.string().default(local(4702)),
      key: z.string().default('standinaligokey0000000000000000000'),
      userId: z.string().default('standin'),
      sender: z.string().default('01000000000'),
      testmode: bool.default(false),
    })
    .prefault({}),
  sendgrid: z
    .object({
      baseUrl: z.string().default(local(4703)),
      apiKey: z.string().default('SG.standin.test_key'),
      from: z.string().default('no-reply@reference-target.test'),
      /**
       * Base64 SPKI P-256 public key that verifies the Signed Event Webhook
       * (SendGrid shows it under Mail Settings). The default is the key standin
       * signs with for the default API key's account ("standin").
       */
      webhookPublicKey: z
        .string()
        .default(
          'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKovZZQEa2gPLXFUE4GuFCElwCGKi9WFr6C8t/8CSDHE5Jn6lOkCtZ64S+kycJJZEv3Eq6Oc8/v1PVyU6YzFIbg==',
        ),
    })
    .prefault({}),
  stripe: z
    .object({
      baseUrl: z.string().default(local(4704)),
      secretKey: z.string().default('sk_test_standin'),
      webhookSecret: z.string().default('whsec_standin_reference_target'),
      currency: z.string().default('usd'),
    })
    .prefault({}),
  razorpay: z
    .object({
      baseUrl: z.string().default(local(4705)),
      keyId: z.string().default('rzp_test_standin'),
      keySecret: z.string().default('standin_razorpay_key_secret'),
      webhookSecret: z.string().default('standin_razorpay_webhook_secret'),
    })
    .prefault({}),
  toss: z
    .object({
      baseUrl: z.string().default(local(4706)),
      clientKey: z.string().default('test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq'),
      secretKey: z.string().default('test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R'),
    })
    .prefault({}),

  /** The one retry policy every outbound provider call uses (see providers/retry.ts). */
  retry: z
    .object({
      maxAttempts: z.coerce.number().int().min(1).default(4),
      baseDelayMs: z.coerce.number().int().min(0).default(200),
      maxDelayMs: z.coerce.number().int().min(0).default(5_000),
      timeoutMs: z.coerce.number().int().min(1).default(8_000),
    })
    .prefault({}),
  jobs: z
    .object({
      pollMs: z.coerce.number().int().min(5).default(250),
      /** Start the worker with the app (tests of restarts turn it off). */
      autostart: bool.default(true),
    })
    .prefault({}),
  otp: z
    .object({
      ttlMs: z.coerce
        .number()
        .int()
        .default(5 * 60_000),
      maxAttempts: z.coerce.number().int().default(5),
      resendCooldownMs: z.coerce.number().int().default(30_000),
      perPhonePerHour: z.coerce.number().int().default(5),
      perIpPerHour: z.coerce.number().int().default(20),
      /** SMS provider call budget before failing over to the other provider. */
      sendTimeoutMs: z.coerce.number().int().default(3_000),
    })
    .prefault({}),
  /** Grace period after a failed renewal before premium is taken away. */
  graceMs: z.coerce
    .number()
    .int()
    .default(3 * 24 * 3600_000),
  /** A payment still pending after this long is settled by the reconciliation job. */
  reconcileAfterMs: z.coerce.number().int().default(60_000),
})
export type Config = z.infer<typeof Config>
export type ConfigInput = z.input<typeof Config>

/** Reads the environment into a Config; the only place `process.env` is read. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const e = (k: string) => (env[k] === '' ? undefined : env[k])
  const parsed = Config.safeParse({
    port: e('PORT') ?? e('REFERENCE_PORT'),
    host: e('HOST') ?? e('REFERENCE_HOST'),
    publicUrl: e('REFERENCE_PUBLIC_URL'),
    databaseUrl: e('DATABASE_URL'),
    dataDir: e('REFERENCE_DATA_DIR'),
    defects: e('REFERENCE_DEFECTS'),
    testClock: e('REFERENCE_TEST_CLOCK'),
    logLevel: e('LOG_LEVEL'),
    twilio: {
      baseUrl: e('TWILIO_BASE_URL'),
      accountSid: e('TWILIO_ACCOUNT_SID'),
      authToken: e('TWILIO_AUTH_TOKEN'),
      from: e('TWILIO_FROM'),
    },
    aligo: {
      baseUrl: e('ALIGO_BASE_URL'),
      key: e('ALIGO_KEY'),
      userId: e('ALIGO_USER_ID'),
      sender: e('ALIGO_SENDER'),
      testmode: e('ALIGO_TESTMODE'),
    },
    sendgrid: {
      baseUrl: e('SENDGRID_BASE_URL'),
      apiKey: e('SENDGRID_API_KEY'),
      from: e('SENDGRID_FROM'),
      webhookPublicKey: e('SENDGRID_WEBHOOK_PUBLIC_KEY'),
    },
    stripe: {
      baseUrl: e('STRIPE_BASE_URL'),
      secretKey: e('STRIPE_SECRET_KEY'),
      webhookSecret: e('STRIPE_WEBHOOK_SECRET'),
      currency: e('STRIPE_CURRENCY'),
    },
    razorpay: {
      baseUrl: e('RAZORPAY_BASE_URL'),
      keyId: e('RAZORPAY_KEY_ID'),
      keySecret: e('RAZORPAY_KEY_SECRET'),
      webhookSecret: e('RAZORPAY_WEBHOOK_SECRET'),
    },
    toss: { baseUrl: e('TOSS_BASE_URL'), clientKey: e('TOSS_CLIENT_KEY'), secretKey: e('TOSS_SECRET_KEY') },
    retry: {
      maxAttempts: e('PROVIDER_MAX_ATTEMPTS'),
      baseDelayMs: e('PROVIDER_BASE_DELAY_MS'),
      maxDelayMs: e('PROVIDER_MAX_DELAY_MS'),
      timeoutMs: e('PROVIDER_TIMEOUT_MS'),
    },
    jobs: { pollMs: e('JOBS_POLL_MS') },
    otp: {
      resendCooldownMs: e('OTP_RESEND_COOLDOWN_MS'),
      perPhonePerHour: e('OTP_PER_PHONE_PER_HOUR'),
      perIpPerHour: e('OTP_PER_IP_PER_HOUR'),
    },
    graceMs: e('PREMIUM_GRACE_MS'),
    reconcileAfterMs: e('RECONCILE_AFTER_MS'),
  })
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => {
    const field = i.path.join('.')
    const known = field.startsWith('defects')
      ? ` Known defects: ${Object.keys(DefectName.enum).join(', ')}.`
      : ''
    return `${field}: ${i.message}.${known}`
  })
  throw new Error(
    `Failed to read the reference target's configuration: ${problems.join(' ')} Fix the environment (see reference-target/README.md).`,
  )
}

/** For tests and embedding: the same schema, from a partial object. */
export function makeConfig(input: Partial<ConfigInput> = {}): Config {
  return Config.parse(input)
}
