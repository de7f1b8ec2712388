/**
 * Every fault effect standin knows. Adding one is its file (see
 * truncated-body.ts for a small one) and one line here; the rule schema, the
 * engine, the control plane and both transports pick it up from this list.
 */
export { connectionReset } from './connection-reset.ts'
export { hang } from './hang.ts'
export { latency } from './latency.ts'
export { providerError } from './provider-error.ts'
export { slowBody } from './slow-body.ts'
export { status } from './status.ts'
export { truncatedBody } from './truncated-body.ts'
