import type { ProviderContext } from '../core/provider.ts'
import { Collection } from '../core/store.ts'
import type {
  Coupon,
  CreditNote,
  Discount,
  InvoiceItem,
  PaymentLink,
  Plan,
  PortalConfiguration,
  PortalSession,
  PromotionCode,
  Schedule,
  TaxRate,
} from './billing-objects.ts'
import type {
  ApplicationFee,
  BalanceTransaction,
  Charge,
  CheckoutSession,
  ConnectedAccount,
  Customer,
  Dispute,
  Invoice,
  InvoicePayment,
  PaymentIntent,
  PaymentMethod,
  Payout,
  Price,
  Product,
  Refund,
  SetupIntent,
  StripeEvent,
  Subscription,
  TestClock,
  Transfer,
  WebhookEndpointObject,
} from './models.ts'

/** One account's Stripe world: a collection per object kind, and where each id prefix lives. */
/**
 * How many events each account keeps for `/v1/events` (Stripe keeps 30 days of them); past it the oldest
 * is forgotten, as the dispatcher forgets old deliveries, so a long load run does not grow without bound.
 * `STANDIN_STRIPE_EVENTS_KEPT` overrides it.
 */
export const EVENTS_KEPT = Number(process.env.STANDIN_STRIPE_EVENTS_KEPT) || 10_000

export interface StripeState {
  /** Disputes of this account's charges (disputes.ts). */
  disputes: Collection<Dispute>
  /** The ledger behind /v1/balance (balance.ts). */
  balanceTransactions: Collection<BalanceTransaction>
  /** Connect: this platform's connected accounts, transfers, payouts and application fees (connect.ts). */
  accounts: Collection<ConnectedAccount>
  transfers: Collection<Transfer>
  payouts: Collection<Payout>
  applicationFees: Collection<ApplicationFee>
  customers: Collection<Customer>
  paymentMethods: Collection<PaymentMethod>
  paymentIntents: Collection<PaymentIntent>
  setupIntents: Collection<SetupIntent>
  charges: Collection<Charge>
  refunds: Collection<Refund>
  products: Collection<Product>
  prices: Collection<Price>
  checkoutSessions: Collection<CheckoutSession>
  subscriptions: Collection<Subscription>
  invoices: Collection<Invoice>
  invoicePayments: Collection<InvoicePayment>
  testClocks: Collection<TestClock>
  events: Collection<StripeEvent>
  webhookEndpoints: Collection<WebhookEndpointObject>
  // Billing: invoicing, discounts, tax rates.
  invoiceItems: Collection<InvoiceItem>
  creditNotes: Collection<CreditNote>
  coupons: Collection<Coupon>
  promotionCodes: Collection<PromotionCode>
  discounts: Collection<Discount>
  taxRates: Collection<TaxRate>
  plans: Collection<Plan>
  portalConfigurations: Collection<PortalConfiguration>
  portalSessions: Collection<PortalSession>
  paymentLinks: Collection<PaymentLink>
  schedules: Collection<Schedule>
  /** The virtual-clock timer for the next billing step of customers without a test clock (billing-clock.ts). */
  _timer?: { cancel(): void }
  /** Invoice number sequence per customer prefix. */
  invoiceSeq: number
}

export function createState(): StripeState {
  return {
    disputes: new Collection(),
    balanceTransactions: new Collection(),
    accounts: new Collection(),
    transfers: new Collection(),
    payouts: new Collection(),
    applicationFees: new Collection(),
    customers: new Collection(),
    paymentMethods: new Collection(),
    paymentIntents: new Collection(),
    setupIntents: new Collection(),
    charges: new Collection(),
    refunds: new Collection(),
    products: new Collection(),
    prices: new Collection(),
    checkoutSessions: new Collection(),
    subscriptions: new Collection(),
    invoices: new Collection(),
    invoicePayments: new Collection(),
    testClocks: new Collection(),
    events: new Collection(EVENTS_KEPT),
    webhookEndpoints: new Collection(),
    invoiceItems: new Collection(),
    creditNotes: new Collection(),
    coupons: new Collection(),
    promotionCodes: new Collection(),
    discounts: new Collection(),
    taxRates: new Collection(),
    plans: new Collection(),
    portalConfigurations: new Collection(),
    portalSessions: new Collection(),
    paymentLinks: new Collection(),
    schedules: new Collection(),
    invoiceSeq: 0,
  }
}

export type StripeContext = ProviderContext<StripeState>

/** Where an id prefix lives, for expansion and lookups by id alone. */
export const COLLECTION_BY_PREFIX: Record<string, keyof StripeState> = {
  du_: 'disputes',
  dp_: 'disputes',
  txn_: 'balanceTransactions',
  acct_: 'accounts',
  tr_: 'transfers',
  po_: 'payouts',
  fee_: 'applicationFees',
  cus_: 'customers',
  pm_: 'paymentMethods',
  pi_: 'paymentIntents',
  seti_: 'setupIntents',
  ch_: 'charges',
  py_: 'charges',
  re_: 'refunds',
  prod_: 'products',
  price_: 'prices',
  cs_: 'checkoutSessions',
  sub_: 'subscriptions',
  in_: 'invoices',
  inpay_: 'invoicePayments',
  clock_: 'testClocks',
  evt_: 'events',
  we_: 'webhookEndpoints',
  ii_: 'invoiceItems',
  cn_: 'creditNotes',
  promo_: 'promotionCodes',
  di_: 'discounts',
  txr_: 'taxRates',
  bpc_: 'portalConfigurations',
  bps_: 'portalSessions',
  plink_: 'paymentLinks',
  sub_sched_: 'schedules',
}

export function lookupById(state: StripeState, id: string): { id: string; object: string } | undefined {
  const prefix = id.startsWith('sub_sched_') ? 'sub_sched_' : /^[a-z]+_/.exec(id)?.[0]
  const key = prefix ? COLLECTION_BY_PREFIX[prefix] : undefined
  if (!key) return undefined
  return (state[key] as Collection<{ id: string; object: string }>).get(id)
}
