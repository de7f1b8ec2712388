/**
 * standin's public API for code: the providers, the core to host them
 * in-process, the hub, and the typed control-plane client.
 *
 * @example
 * import { startHub, StandinClient } from 'standin'
 * const hub = await startHub({ port: 0, ports: { stripe: 0 } })
 * const standin = new StandinClient({ url: hub.url })
 */
export { aligo } from './aligo/index.ts'
export { injectFetch, StandinClient, StandinClientError } from './core/control/client.ts'
export { HarnessError, ProviderError } from './core/errors.ts'
export { extractCode, extractLinks } from './core/messages.ts'
export type { AnyProvider, ProviderContext, ProviderDefinition, RouteDefinition } from './core/provider.ts'
export { defineProvider, routesFor } from './core/provider.ts'
export { Core } from './core/runtime.ts'
export { startProviders } from './core/testing.ts'
export { standinHandlers } from './core/transports/msw.ts'
export { startHub } from './hub/hub.ts'
export { allProviders } from './hub/providers.ts'
export { razorpay } from './razorpay/index.ts'
export { sendgrid } from './sendgrid/index.ts'
export { stripe } from './stripe/index.ts'
export { toss } from './toss/index.ts'
export { twilio } from './twilio/index.ts'
