import FindMyWay from 'find-my-way'
import type { HttpMethod, RouteDefinition } from './provider.ts'

/**
 * The core's router, so every transport routes the same way (and the
 * provider, not the transport, answers an unknown URL): fastify's own radix
 * tree (find-my-way), so a lookup costs the same with 5 routes or 500.
 *
 * One rule for trailing slashes: `/send` and `/send/` are the same route,
 * static or with `:params` (a provider declares either form once; a second
 * declaration of the same route is ignored, the first wins). A route naming
 * `hosts` is preferred for those Host headers over one naming none, and
 * matches no other host. `:Sid.json` reads a param followed by a literal.
 */
export interface RouteMatch<R> {
  route: R
  params: Record<string, string>
}

export type RouteLookup<R> =
  | { kind: 'found'; match: RouteMatch<R> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' }

export class Router<R extends Pick<RouteDefinition, 'method' | 'path' | 'hosts'>> {
  // A param as long as a URL may be (a 1,500-character id is the provider's 404, not the router's).
  private readonly tree = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 100_000 })
  private readonly methods: HttpMethod[] = []

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const path = withoutTrailingSlash(route.path)
      for (const host of route.hosts?.map((h) => h.toLowerCase()) ?? [undefined]) {
        const constraints = host === undefined ? {} : { host }
        if (this.tree.hasRoute(route.method, path, constraints)) continue
        this.tree.on(route.method, path, { constraints }, noop, route)
      }
      if (!this.methods.includes(route.method)) this.methods.push(route.method)
    }
  }

  lookup(method: string, path: string, host: string): RouteLookup<R> {
    const found = this.find(method, path, host)
    if (found) return { kind: 'found', match: found }
    // Only on a miss: the methods the same URL answers to, for a 405 with Allow.
    const allowed = this.methods.filter((m) => m !== method && this.find(m, path, host))
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
  }

  private find(method: string, path: string, host: string): RouteMatch<R> | undefined {
    const found = this.tree.find(method as HttpMethod, path, { host })
    if (!found) return undefined
    const params: Record<string, string> = {}
    for (const name in found.params) params[name === '*' ? 'wildcard' : name] = found.params[name]!
    return { route: found.store as R, params }
  }
}

function noop(): void {}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

/** `/v1/customers/:customer/sources/:id` → regex; a param ends at `/` or at a literal that follows it (`:Sid.json`). */
function compile(pattern: string): RegExp {
  let source = ''
  const re = /:([A-Za-z_][A-Za-z0-9_]*)|\*|([^:*]+)/g
  for (const m of withoutTrailingSlash(pattern).matchAll(re)) {
    if (m[1]) source += '([^/]+?)'
    else if (m[0] === '*') source += '(.*)'
    else source += escapeRegex(m[2]!)
  }
  return new RegExp(`^${source}/?$`)
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Converts a route path to a matcher usable on its own (fault rules use the same syntax and the same trailing-slash rule). */
export function pathMatcher(pattern: string): (path: string) => boolean {
  if (!pattern.includes(':') && !pattern.includes('*')) {
    const exact = withoutTrailingSlash(pattern)
    return (path) => withoutTrailingSlash(path) === exact
  }
  const regex = compile(pattern)
  return (path) => regex.test(path)
}
