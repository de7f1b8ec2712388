import type { Exchange, Step } from './exchange.ts'
import { isJsonValue } from './finish.ts'
import type { PipelineHost } from './host.ts'

/**
 * faults before: the rules decide on the request as the handler will see it
 * (decoded body, route, account). A terminal rule answers in place of the
 * provider, or takes the connection (reset, hang) before the provider sees it.
 */
export function faultsBefore(host: PipelineHost, ex: Exchange): Step | Promise<Step> {
  const req = ex.req
  const verdict = host.faults.evaluate({
    provider: host.name,
    operation: ex.route?.operation,
    method: req.method,
    path: req.path,
    account: ex.authenticated ? ex.account : undefined,
    body: req.body,
    query: req.query,
    headers: req.headers,
  })
  ex.verdict = verdict
  if (verdict.delayBeforeMs > 0) return host.clock.sleepReal(verdict.delayBeforeMs).then(() => terminal(ex))
  return terminal(ex)
}

function terminal(ex: Exchange): Step {
  const terminal = ex.verdict.terminal
  if (terminal === undefined) return undefined
  if (terminal.kind === 'respond') return terminal.response
  if (terminal.phase === 'after') return undefined
  return { kind: 'wire', effect: terminal.effect, params: terminal.params, answer: undefined }
}

/** refuse: the provider's answer to a request it would not handle (no route, bad credentials, bad body). */
export function refuse(_host: PipelineHost, ex: Exchange): Step {
  return ex.refusal
}

/** faults after: the answer is late (latency after); finalize hands it to a wire effect, if one fired. */
export function faultsAfter(host: PipelineHost, ex: Exchange): Step | Promise<Step> {
  if (ex.verdict.delayAfterMs <= 0) return undefined
  // A handler may answer with the provider's own state (a stored object, not a copy): the late answer is
  // what the provider said, so it is copied as it will be sent before the wait, and what other requests
  // change meanwhile does not show in it.
  const body = ex.response?.body
  if (isJsonValue(body)) {
    const text = JSON.stringify(body)
    if (text !== undefined) ex.response!.body = JSON.parse(text)
  }
  return host.clock.sleepReal(ex.verdict.delayAfterMs).then(() => undefined)
}
