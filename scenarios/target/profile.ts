/**
 * The target profile: everything the journeys need to know about an app,
 * declared as data (JSON or YAML) and validated here. A team adapts the whole
 * suite to its app by writing one of these; the worked example is
 * `profiles/reference-target.json`.
 */
import { z } from 'zod'
import { FLOWS, REFUSALS, type RefusalName, STEP_NAMES, STEPS, type StepName } from './steps.ts'

const JsonPointer = z
  .string()
  .regex(/^(\/.*)?$/, 'must be a JSON pointer such as /user/id (or "" for the whole answer)')

/**
 * Where an output is in the app's answer: a JSON pointer into the body, or a
 * response header, optionally mapped (e.g. the app's status words onto the
 * journeys' own), or, with `each`, one value from every item of an array.
 */
export const OutputSpec = z.union([
  JsonPointer,
  z
    .object({
      pointer: JsonPointer.optional(),
      header: z.string().min(1).optional(),
      cookie: z.string().min(1).optional().describe('a cookie the answer sets (Set-Cookie), by name'),
      each: JsonPointer.optional().describe('with pointer at an array: this pointer inside each item'),
      map: z.record(z.string(), z.string()).optional().describe("the app's value → the journeys' word"),
    })
    .strict()
    .refine((o) => [o.pointer, o.header, o.cookie].filter((x) => x !== undefined).length === 1, {
      message: 'give exactly one of pointer, header or cookie',
    }),
])
export type OutputSpec = z.infer<typeof OutputSpec>

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** One step of a flow, as the app's API spells it. Strings may hold `{{var}}` placeholders. */
export const HttpStep = z
  .object({
    method: HttpMethod,
    path: z
      .string()
      .startsWith('/', 'must start with /')
      .describe('path template, e.g. /v1/payments/{{paymentId}}'),
    query: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z
      .unknown()
      .optional()
      .describe('JSON body template; a value that is exactly "{{var}}" keeps its type'),
    form: z.boolean().optional().describe('send the body as application/x-www-form-urlencoded'),
    out: z.record(z.string(), OutputSpec).optional(),
    auth: z.boolean().optional().describe("override the catalogue: attach the user's session or not"),
    when: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .optional()
      .describe('in a list of variants: use this one when each named variable has (one of) these values'),
  })
  .strict()
export type HttpStep = z.infer<typeof HttpStep>

/** A step is one HTTP call, or variants chosen by the step's variables (e.g. one path per provider). */
export const StepDefinition = z.union([HttpStep, z.array(HttpStep).min(1)])
export type StepDefinition = z.infer<typeof StepDefinition>

const Refusal = z
  .object({
    status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]),
    code: z.string().optional().describe("the app's error code at errorCodePointer, where it has one"),
  })
  .strict()

const SmsProvider = z.enum(['twilio', 'aligo', 'mitto'])
const PaymentProvider = z.enum(['stripe', 'razorpay', 'toss'])
export type PaymentProvider = z.infer<typeof PaymentProvider>

const ProviderAccount = z
  .object({
    account: z
      .string()
      .min(1)
      .describe('the credential standin partitions state by (key id, account SID, …)'),
    webhook: z
      .object({
        path: z.string().startsWith('/', 'must start with /'),
        secret: z.string().optional(),
      })
      .strict()
      .optional()
      .describe("the app's webhook endpoint, which standin registers at start"),
    publicKey: z
      .string()
      .optional()
      .describe('a publishable/client key the browser side uses (Toss clientKey)'),
  })
  .strict()

const Duration = z.number().int().min(0)

export const Rules = z
  .object({
    startingCredits: z.number().int().min(0).default(0),
    packages: z
      .array(
        z
          .object({
            id: z.string().min(1),
            credits: z.number().int().min(1),
            price: z.record(PaymentProvider, z.number().int().min(0)).optional(),
          })
          .strict(),
      )
      .min(1),
    chatMessageCost: z.number().int().min(0).optional(),
    callMinuteCost: z
      .object({ audio: z.number().int().min(0), video: z.number().int().min(0) })
      .strict()
      .optional(),
    otp: z
      .object({
        length: z.number().int().min(3).max(12),
        ttlMs: Duration,
        resendCooldownMs: Duration.optional(),
        hourlyCap: z.number().int().min(1).optional(),
        lockoutAfter: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    smsRouting: z
      .array(
        z
          .object({
            prefix: z.string().startsWith('+'),
            provider: SmsProvider,
            fallback: SmsProvider.optional(),
          })
          .strict(),
      )
      .optional()
      .describe('first match wins: which SMS provider sends to numbers starting with prefix'),
    adultAge: z.number().int().min(1).optional(),
    subscription: z
      .object({ periodDays: z.number().int().min(1), gracePeriodMs: Duration })
      .strict()
      .optional(),
    giftCards: z
      .object({
        codePattern: z.string().min(1).describe('a regular expression that finds the code in the email'),
        validForMs: Duration.optional(),
      })
      .strict()
      .optional(),
    retry: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .describe('attempts in all at one provider call, the first included'),
        minGapMs: Duration.describe(
          'the least the app waits before its first retry (later waits are at least as long: backoff)',
        ),
      })
      .strict()
      .optional()
      .describe("the app's retry policy for provider calls that answer 5xx, 429 or time out"),
    reconcileAfterMs: Duration.optional().describe(
      'app time within which the app settles a payment whose provider answer was lost (its reconciliation)',
    ),
    webhookToleranceMs: Duration.optional().describe(
      'how old a signed webhook timestamp the app still accepts (Stripe: 5 minutes)',
    ),
    /** How long the app may take to act on an event (a webhook, a job); journeys wait up to this. */
    settleMs: Duration.default(15_000),
  })
  .strict()
export type Rules = z.infer<typeof Rules>

export const Capabilities = z
  .object({
    flows: z.array(z.enum(FLOWS)).describe('the flows this app implements'),
    payments: z
      .partialRecord(
        PaymentProvider,
        z.array(z.enum(['payment_intent', 'checkout', 'order', 'window'])).min(1),
      )
      .default({})
      .describe('payment providers and how the app takes each'),
    subscriptions: z.array(z.enum(['stripe', 'toss'])).default([]),
    sms: z.array(SmsProvider).default([]),
    email: z.array(z.enum(['sendgrid'])).default([]),
  })
  .strict()

const Auth = z.discriminatedUnion('via', [
  z
    .object({
      via: z.literal('header'),
      header: z.string().min(1).default('authorization'),
      value: z.string().default('Bearer {{token}}').describe('template over the submitOtp step outputs'),
    })
    .strict(),
  z
    .object({
      via: z.literal('cookie'),
      name: z.string().min(1).describe('the cookie submitOtp sets; its value is output `token`'),
    })
    .strict(),
])

export const Profile = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    baseUrl: z.url(),
    hubUrl: z
      .url()
      .optional()
      .describe('the standin hub the app is pointed at (default http://127.0.0.1:4700)'),
    health: z.string().startsWith('/').optional().describe('a path that answers 2xx when the app is up'),
    auth: Auth,
    errorCodePointer: JsonPointer.optional().describe("where the app's error code is in an error answer"),
    capabilities: Capabilities,
    rules: Rules,
    refusals: z
      .partialRecord(z.enum(Object.keys(REFUSALS) as [RefusalName, ...RefusalName[]]), Refusal)
      .default({}),
    providers: z
      .object({
        twilio: ProviderAccount.optional(),
        aligo: ProviderAccount.optional(),
        mitto: ProviderAccount.optional(),
        sendgrid: ProviderAccount.optional(),
        stripe: ProviderAccount.optional(),
        razorpay: ProviderAccount.optional(),
        toss: ProviderAccount.optional(),
      })
      .strict(),
    steps: z.partialRecord(z.enum(STEP_NAMES as [StepName, ...StepName[]]), StepDefinition),
    headers: z.record(z.string(), z.string()).optional().describe('sent with every step'),
    /** A TypeScript module whose exported `steps` implement steps a profile cannot express. */
    module: z.string().optional(),
  })
  .strict()
  .superRefine((profile, ctx) => {
    for (const flow of profile.capabilities.flows) {
      for (const [name, spec] of Object.entries(STEPS)) {
        if (spec.flow !== flow || !spec.required || profile.steps[name as StepName] || profile.module)
          continue
        ctx.addIssue({
          code: 'custom',
          path: ['steps', name],
          message: `the flow "${flow}" is declared, so the step "${name}" (${spec.doc}) is needed`,
        })
      }
    }
    for (const provider of Object.keys(profile.capabilities.payments)) {
      if (!profile.providers[provider as PaymentProvider])
        ctx.addIssue({
          code: 'custom',
          path: ['providers', provider],
          message: `payments with ${provider} are declared, so its account is needed`,
        })
    }
  })
export type Profile = z.infer<typeof Profile>
export type ProfileInput = z.input<typeof Profile>

/** The JSON Schema editors use to check a profile as it is typed (`standin profile schema`). */
export function profileJsonSchema(): unknown {
  return z.toJSONSchema(Profile, { io: 'input', unrepresentable: 'any' })
}
