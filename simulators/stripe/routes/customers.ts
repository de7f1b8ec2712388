import { z } from 'zod'
import { newCustomer } from '../customers.ts'
import { applyCustomerCoupon, checkDiscounts, legacyDiscount, legacyParam } from '../discounts.ts'
import { fail } from '../errors.ts'
import type { Customer } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { attach, resolvePaymentMethod } from '../payments.ts'
import { patchNested } from '../snapshots.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  orNull,
  previousOf,
  respond,
  route,
  source,
  timeFor,
} from './shared.ts'

const str = z.union([z.string(), z.literal('')]).optional()
const fields = {
  ...expandShape,
  ...metadataShape,
  email: str,
  name: str,
  phone: str,
  description: str,
  payment_method: z.string().optional(),
  invoice_settings: z.looseObject({ default_payment_method: str }).optional(),
  test_clock: z.string().optional(),
  address: z.unknown().optional(),
  balance: z.number().optional(),
  coupon: z.string().optional(),
  promotion_code: z.string().optional(),
}

export const customers = [
  route({
    operation: 'customers.create',
    method: 'POST',
    path: '/v1/customers',
    input: params('POST', '/v1/customers', fields),
    handler: (req, ctx, input) => {
      if (input.test_clock) find(ctx.state.testClocks, input.test_clock, 'test clock', 'test_clock')
      // A coupon that names nothing refuses the whole request before anything is created.
      const wanted = legacyDiscount(input)
      if (wanted) checkDiscounts(ctx, wanted, ctx.clock.unix(), null, legacyParam(wanted))
      const customer = newCustomer(ctx, {
        address: input.address && input.address !== '' ? input.address : null,
        balance: input.balance ?? 0,
        description: orNull(input.description, null),
        email: orNull(input.email, null),
        metadata: mergeMetadata({}, input.metadata),
        name: orNull(input.name, null),
        phone: orNull(input.phone, null),
        test_clock: input.test_clock ?? null,
      })
      ctx.state.customers.insert(customer)
      customer.created = timeFor(ctx, customer.id)
      const src = source(req, ctx, customer.created)
      let attached: string | undefined
      if (input.payment_method) {
        const pm = resolvePaymentMethod(src, input.payment_method)
        attach(src, pm, customer)
        attached = pm.id
      }
      const dpm = input.invoice_settings?.default_payment_method
      // Stripe's own subscription guide names the same test token twice (`payment_method: 'pm_card_visa'`
      // and `invoice_settings.default_payment_method: 'pm_card_visa'`): both mean the card just attached.
      if (dpm)
        customer.invoice_settings.default_payment_method =
          dpm === input.payment_method && attached ? attached : ownedPaymentMethod(ctx, customer, dpm)
      emitEvent(src, 'customer.created', customer)
      applyCustomerCoupon(src, customer, input)
      return respond(req, ctx, customer, input.expand)
    },
  }),
  route({
    operation: 'customers.retrieve',
    method: 'GET',
    path: '/v1/customers/:customer',
    input: params('GET', '/v1/customers/{customer}', expandShape),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, req.params.customer!, 'customer', 'id')
      if (customer.deleted) return respond(req, ctx, { id: customer.id, object: 'customer', deleted: true })
      return respond(req, ctx, customer, input.expand)
    },
  }),
  route({
    operation: 'customers.update',
    method: 'POST',
    path: '/v1/customers/:customer',
    input: params('POST', '/v1/customers/{customer}', fields),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, req.params.customer!, 'customer', 'id')
      if (customer.deleted)
        fail(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such customer: '${customer.id}'`,
          param: 'id',
        })
      const before = structuredClone(customer)
      const src = source(req, ctx, timeFor(ctx, customer.id))
      if (input.email !== undefined) customer.email = orNull(input.email, null)
      if (input.name !== undefined) customer.name = orNull(input.name, null)
      if (input.phone !== undefined) customer.phone = orNull(input.phone, null)
      if (input.description !== undefined) customer.description = orNull(input.description, null)
      if (input.balance !== undefined) customer.balance = input.balance
      customer.metadata = mergeMetadata(customer.metadata, input.metadata)
      applyCustomerCoupon(src, customer, input)
      const dpm = input.invoice_settings?.default_payment_method
      if (dpm !== undefined)
        patchNested(customer, 'invoice_settings', {
          default_payment_method: dpm === '' ? null : ownedPaymentMethod(ctx, customer, dpm),
        })
      const previous = previousOf(before, customer)
      if (Object.keys(previous).length > 0) emitEvent(src, 'customer.updated', customer, previous)
      return respond(req, ctx, customer, input.expand)
    },
  }),
  route({
    operation: 'customers.delete',
    method: 'DELETE',
    path: '/v1/customers/:customer',
    handler: (req, ctx) => {
      const customer = find(ctx.state.customers, req.params.customer!, 'customer', 'id')
      if (customer.deleted)
        fail(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such customer: '${customer.id}'`,
          param: 'id',
        })
      customer.deleted = true
      emitEvent(source(req, ctx), 'customer.deleted', customer)
      return respond(req, ctx, { id: customer.id, object: 'customer', deleted: true })
    },
  }),
  route({
    operation: 'customers.list',
    method: 'GET',
    path: '/v1/customers',
    input: params('GET', '/v1/customers', {
      ...listShape,
      email: z.string().optional(),
      test_clock: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.customers,
        input,
        '/v1/customers',
        (c) => !c.deleted && matchesGiven(input, c, ['email', 'test_clock']),
      ),
  }),
]

/** A customer's default payment method must be attached to it. */
function ownedPaymentMethod(ctx: Parameters<typeof timeFor>[0], customer: Customer, id: string): string {
  const pm = find(ctx.state.paymentMethods, id, 'PaymentMethod', 'invoice_settings[default_payment_method]')
  if (pm.customer !== customer.id)
    fail(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such PaymentMethod: '${id}'; It's possible this PaymentMethod exists on one of your connected accounts, in which case you should retry this request on that connected account.`,
      param: 'invoice_settings[default_payment_method]',
    })
  return pm.id
}
