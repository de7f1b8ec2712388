// Connect's routes in one list, in declaration order; each resource's routes are in connect-*.ts.
import { accountRoutes } from './connect-accounts.ts'
import { applicationFeeRoutes } from './connect-fees.ts'
import { payoutRoutes } from './connect-payouts.ts'
import { transferRoutes } from './connect-transfers.ts'

/** Connect: connected accounts, transfers and their reversals, payouts, application fees (connect-*.ts). */
export const connect = [...accountRoutes, ...transferRoutes, ...payoutRoutes, ...applicationFeeRoutes]
