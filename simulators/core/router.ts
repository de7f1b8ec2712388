import type { HttpMethod, RouteDefinition } from './provider.ts'

/**
 * The core's own router, so every transport routes the same way (and the
 * provider, not the transport, answers an unknown URL). Static paths are one
 * map lookup; paths with `:params` are tried in declaration order.
 */
export interface RouteMatch<R> {
  route: R
  params: Record<string, string>
}

interface Compiled<R> {
  route: R
  hosts: string[] | undefined
  regex: RegExp
  names: string[]
}

export type RouteLookup<R> =
  | { kind: 'found'; match: RouteMatch<R> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' }

export class Router<R extends Pick<RouteDefinition, 'method' | 'path' | 'hosts'>> {
  private readonly staticRoutes = new Map<string, Compiled<R>[]>()
  private readonly dynamicRoutes: Compiled<R>[] = []

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const compiled = compile(route)
      if (compiled.names.length === 0) {
        const key = `${route.method} ${route.path}`
        const list = this.staticRoutes.get(key) ?? []
        list.push(compiled)
        this.staticRoutes.set(key, list)
      } else this.dynamicRoutes.push(compiled)
    }
  }

  lookup(method: string, path: string, host: string): RouteLookup<R> {
    const direct = pickByHost(this.staticRoutes.get(`${method} ${path}`), host)
    if (direct) return { kind: 'found', match: { route: direct.route, params: {} } }
    const candidates: { compiled: Compiled<R>; params: Record<string, string> }[] = []
    for (const compiled of this.dynamicRoutes) {
      if (compiled.route.method !== method) continue
      const m = compiled.regex.exec(path)
      if (m) candidates.push({ compiled, params: paramsOf(compiled, m) })
    }
    const chosen =
      candidates.find((c) => c.compiled.hosts?.includes(host)) ??
      candidates.find((c) => c.compiled.hosts === undefined)
    if (chosen) return { kind: 'found', match: { route: chosen.compiled.route, params: chosen.params } }

    const allowed = new Set<HttpMethod>()
    for (const [key, list] of this.staticRoutes) {
      if (key.slice(key.indexOf(' ') + 1) === path && pickByHost(list, host))
        allowed.add(list[0]!.route.method)
    }
    for (const compiled of this.dynamicRoutes) {
      if (compiled.regex.test(path) && (compiled.hosts === undefined || compiled.hosts.includes(host)))
        allowed.add(compiled.route.method)
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' }
  }
}

function pickByHost<R>(list: Compiled<R>[] | undefined, host: string): Compiled<R> | undefined {
  if (!list) return undefined
  return list.find((c) => c.hosts?.includes(host)) ?? list.find((c) => c.hosts === undefined)
}

function paramsOf<R>(compiled: Compiled<R>, m: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {}
  compiled.names.forEach((name, i) => {
    const raw = m[i + 1]!
    try {
      params[name] = decodeURIComponent(raw)
    } catch {
      params[name] = raw
    }
  })
  return params
}

/** `/v1/customers/:customer/sources/:id` → regex; a param ends at `/` or at a literal that follows it (`:Sid.json`). */
function compile<R extends Pick<RouteDefinition, 'path' | 'hosts'>>(route: R): Compiled<R> {
  const names: string[] = []
  let pattern = ''
  const re = /:([A-Za-z_][A-Za-z0-9_]*)|\*|([^:*]+)/g
  for (const m of route.path.matchAll(re)) {
    if (m[1]) {
      names.push(m[1])
      pattern += '([^/]+?)'
    } else if (m[0] === '*') {
      names.push('wildcard')
      pattern += '(.*)'
    } else pattern += escapeRegex(m[2]!)
  }
  return {
    route,
    hosts: route.hosts?.map((h) => h.toLowerCase()),
    regex: new RegExp(`^${pattern}/?$`),
    names,
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Converts a route path to a matcher usable on its own (fault rules use the same syntax). */
export function pathMatcher(pattern: string): (path: string) => boolean {
  if (!pattern.includes(':') && !pattern.includes('*')) return (path) => path === pattern
  const { regex } = compile({ path: pattern } as Pick<RouteDefinition, 'path' | 'hosts'>)
  return (path) => regex.test(path)
}
