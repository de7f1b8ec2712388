import type { AnyProvider } from '../core/provider.ts'
import * as registered from './registered.ts'

/** Every provider the hub can host (registered.ts), in port order. */
export const allProviders: AnyProvider[] = Object.values(registered).sort(
  (a, b) => a.defaultPort - b.defaultPort,
)
