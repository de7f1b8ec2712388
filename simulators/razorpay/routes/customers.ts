import type { Customer } from '../billing-models.ts'
import { CustomerCreateParams, CustomerEditParams, CustomerListParams } from '../billing-params.ts'
import { checkId } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { wireNotes } from '../models.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

/** Customers: create (with `fail_existing`), fetch, edit (PUT), list. */

export function findCustomer(ctx: Ctx, id: string): Customer {
  checkId(id, 'cust_')
  const found = ctx.state.billing.customers.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Razorpay's contact and email checks (the contact message is the Customers API reference's sample error). */
function checkContact(input: { email?: string | undefined; contact?: string | undefined }): void {
  if (input.email !== undefined && !EMAIL.test(input.email))
    invalidParam('The email must be a valid email address.', 'email')
  if (input.contact !== undefined && input.contact.replace(/\D/g, '').length < 8)
    fail({
      description: 'Contact number should be at least 8 digits, including country code',
      field: 'contact',
      source: 'business',
      step: 'NA',
      reason: 'invalid_contact_number',
    })
}

export const customerRoutes = [
  apiRoute({
    operation: 'customers.create',
    method: 'POST',
    path: '/v1/customers',
    input: CustomerCreateParams,
    handler: (_req, ctx, input) => {
      checkContact(input)
      // A customer with the same email and contact is "the same details" (UNVERIFIED which fields count).
      const same =
        (input.email !== undefined || input.contact !== undefined) &&
        ctx.state.billing.customers.find(
          (c) => c.email === (input.email ?? null) && c.contact === (input.contact ?? null),
        )
      if (same) {
        // fail_existing defaults to 1: refuse; 0: answer the existing customer.
        if (input.fail_existing !== false) fail({ description: 'Customer already exists for the merchant' })
        return { status: 200, body: same }
      }
      const created = ctx.state.billing.customers.insert({
        id: ctx.ids.mint('cust_', 14),
        entity: 'customer',
        name: input.name ?? null,
        email: input.email ?? null,
        contact: input.contact ?? null,
        gstin: input.gstin ?? null,
        notes: wireNotes(input.notes),
        created_at: ctx.clock.unix(),
      })
      return { status: 200, body: created }
    },
  }),
  apiRoute({
    operation: 'customers.all',
    method: 'GET',
    path: '/v1/customers',
    input: CustomerListParams,
    handler: (_req, ctx, input) => ({
      status: 200,
      body: collection(ctx.state.billing.customers.all(), input),
    }),
  }),
  apiRoute({
    operation: 'customers.fetch',
    method: 'GET',
    path: '/v1/customers/:id',
    handler: (req, ctx) => ({ status: 200, body: findCustomer(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'customers.edit',
    method: 'PUT',
    path: '/v1/customers/:id',
    input: CustomerEditParams,
    handler: (req, ctx, input) => {
      const customer = findCustomer(ctx, req.params.id!)
      checkContact(input)
      if (input.name !== undefined) customer.name = input.name
      if (input.email !== undefined) customer.email = input.email
      if (input.contact !== undefined) customer.contact = input.contact
      if (input.gstin !== undefined) customer.gstin = input.gstin
      if (input.notes !== undefined) customer.notes = wireNotes(input.notes)
      return { status: 200, body: customer }
    },
  }),
]
