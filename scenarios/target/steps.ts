/**
 * The catalogue of flow steps a journey can ask of a target app: what each
 * step is for, which flow it belongs to, the variables it is given and the
 * outputs the journeys read from its answer. A profile maps each step onto the
 * app's own HTTP API (path, fields, JSON pointers); this file is the contract
 * both sides meet on, so it names no app's paths or fields.
 */

export const FLOWS = ['registration', 'payments', 'subscriptions', 'matching', 'gift-cards', 'calls'] as const
export type Flow = (typeof FLOWS)[number]

interface StepSpec {
  flow: Flow | 'clock'
  /** Whether the step acts as a signed-in user (the profile's auth is attached). */
  auth: boolean
  /** Variables the journeys pass in; a profile's templates may use any of them. */
  vars: readonly string[]
  /** Outputs the journeys read; the profile says where each is in the answer. */
  out: readonly string[]
  /** Whether a profile that declares the flow must declare this step too. */
  required: boolean
  doc: string
}

const step = <const V extends readonly string[], const O extends readonly string[]>(
  flow: StepSpec['flow'],
  doc: string,
  spec: { auth?: boolean; vars?: V; out?: O; required?: boolean },
) => ({
  flow,
  doc,
  auth: spec.auth ?? true,
  vars: spec.vars ?? ([] as unknown as V),
  out: spec.out ?? ([] as unknown as O),
  required: spec.required ?? true,
})

export const STEPS = {
  // registration
  startPhoneSignup: step('registration', 'Ask the app to text a sign-in code to a phone.', {
    auth: false,
    vars: ['phone', 'ip'],
  }),
  submitOtp: step('registration', 'Submit the code; the answer signs the user in.', {
    auth: false,
    vars: ['phone', 'code', 'ip'],
    out: ['token', 'userId'],
  }),
  setProfile: step('registration', 'Fill in the profile (name, birth date, gender, email).', {
    vars: ['displayName', 'birthDate', 'gender', 'email'],
  }),
  me: step('registration', "Read the signed-in user's account.", {
    out: ['userId', 'companyStatus'],
  }),
  startCompanyVerification: step('registration', 'Ask for a verification link to a work email.', {
    vars: ['email', 'companyName'],
    required: false,
  }),
  notifications: step('registration', "List the user's notifications (e.g. a bounced email).", {
    out: ['items'],
    required: false,
  }),
  // payments
  buyCredits: step(
    'payments',
    'Start buying a credit package with a payment provider. `providerOrderId` is the provider-side object the payment lives in (Stripe PaymentIntent or Checkout Session id, Razorpay order id, Toss orderId); `providerKey` the browser-side key (Razorpay key id, Toss clientKey).',
    {
      vars: ['provider', 'packageId', 'method', 'paymentMethod'],
      out: [
        'paymentId',
        'status',
        'checkoutUrl',
        'providerOrderId',
        'providerKey',
        'amount',
        'orderName',
        'successUrl',
        'failUrl',
      ],
    },
  ),
  verifyRazorpay: step('payments', "Hand Razorpay checkout's handler result to the app.", {
    vars: ['paymentId', 'razorpay_order_id', 'razorpay_payment_id', 'razorpay_signature'],
    out: ['status'],
    required: false,
  }),
  payment: step('payments', 'Read one payment.', { vars: ['paymentId'], out: ['status', 'failureCode'] }),
  refund: step('payments', 'Refund a credit purchase.', {
    vars: ['paymentId'],
    out: ['status'],
    required: false,
  }),
  balance: step('payments', "Read the user's credit balance.", { out: ['credits'] }),
  // subscriptions
  subscribe: step('subscriptions', 'Start a premium subscription.', {
    vars: ['provider', 'method', 'paymentMethod', 'authKey', 'customerKey'],
    out: ['status', 'checkoutUrl'],
  }),
  subscription: step(
    'subscriptions',
    "Read the user's subscription. `status` in the journeys' words (the profile maps the app's): active, grace (a renewal failed, Premium kept meanwhile), canceled, ended, pending; `periodEnd`: when the paid period ends (ISO time or epoch ms).",
    { out: ['premium', 'status', 'periodEnd'] },
  ),
  cancelSubscription: step('subscriptions', 'Cancel the subscription.', { out: ['status'], required: false }),
  // matching
  discovery: step('matching', 'List profiles the user can like.', { out: ['userIds'] }),
  like: step('matching', 'Like a user; a mutual like makes a match.', { vars: ['userId'], out: ['matchId'] }),
  matches: step('matching', "List the user's matches.", { out: ['matchIds'] }),
  sendMessage: step('matching', 'Send a chat message in a match.', { vars: ['matchId', 'text'], out: [] }),
  messages: step('matching', "Read a match's messages.", { vars: ['matchId'], out: ['texts'] }),
  // gift cards
  buyGiftCard: step('gift-cards', 'Buy a gift card for a recipient.', {
    vars: ['provider', 'packageId', 'method', 'paymentMethod', 'recipientEmail', 'recipientPhone'],
    out: [
      'paymentId',
      'status',
      'checkoutUrl',
      'providerOrderId',
      'providerKey',
      'amount',
      'orderName',
      'successUrl',
      'failUrl',
    ],
  }),
  giftCard: step('gift-cards', "Read a gift card's balance by its code.", {
    vars: ['code'],
    out: ['balance'],
  }),
  redeemGiftCard: step('gift-cards', 'Redeem part or all of a gift card.', {
    vars: ['code', 'amount'],
    out: ['redeemed', 'remaining'],
  }),
  // calls
  startCall: step('calls', 'Start an audio or video call.', {
    vars: ['calleeId', 'callType'],
    out: ['callId'],
  }),
  acceptCall: step('calls', 'The callee accepts the call.', { vars: ['callId'] }),
  rejectCall: step('calls', 'The callee rejects the call.', { vars: ['callId'], required: false }),
  endCall: step('calls', 'End the call.', { vars: ['callId'] }),
  call: step('calls', 'Read one call.', { vars: ['callId'], out: ['status', 'billed', 'endReason'] }),
  callHistory: step('calls', "List the user's calls.", { out: ['callIds'] }),
  // the app's clock
  setClock: step('clock', "Move the app's clock to a time (ISO `now`, epoch `nowMs`).", {
    auth: false,
    vars: ['now', 'nowMs'],
    required: false,
  }),
  advanceClock: step('clock', "Move the app's clock forward by `ms`.", {
    auth: false,
    vars: ['ms'],
    required: false,
  }),
} as const satisfies Record<string, StepSpec>

export type StepName = keyof typeof STEPS
export const STEP_NAMES = Object.keys(STEPS) as StepName[]
export type StepVars<S extends StepName> = Partial<Record<(typeof STEPS)[S]['vars'][number], unknown>>
export type StepOut<S extends StepName> = Partial<Record<(typeof STEPS)[S]['out'][number], unknown>>

/**
 * Refusals the journeys expect, by name. A profile says how its app answers
 * each (status, and an error code where it has one), so an assertion such as
 * "an expired code is refused" follows the app rather than a fixed status.
 */
export const REFUSALS = {
  otpWrong: 'a wrong sign-in code',
  otpExpired: 'a sign-in code past its lifetime',
  otpLocked: 'a code tried too many times',
  otpCooldown: 'a resend within the cooldown',
  otpHourlyCap: 'more codes to one phone than the hourly cap',
  smsUnavailable: 'no SMS provider could send the code',
  underage: 'a profile under the adult age',
  unauthorized: 'no or a bad session',
  paymentDeclined: 'the provider declined the payment',
  paymentRejected: 'a payment proof the app must not trust (forged signature, tampered amount)',
  creditsSpent: 'a refund whose credits were already spent',
  insufficientCredits: 'an action the user cannot pay for',
  giftCardUnknown: 'an unknown gift card code',
  giftCardExpired: 'an expired gift card',
  giftCardSpent: 'a redemption larger than the remaining balance',
} as const
export type RefusalName = keyof typeof REFUSALS
