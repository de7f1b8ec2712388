import type { IncomingHttpHeaders } from 'node:http'
import { Agent, type Dispatcher } from 'undici'

/** What a receiver answered. */
export interface ReceiverAnswer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

/**
 * An idle pooled connection is closed after 4 s, before a receiver's own
 * keep-alive timeout (Node's default is 5 s) can close it under a request being sent.
 */
const IDLE_MS = 4_000

/**
 * One keep-alive pool per origin (undici's Agent): a burst to one receiver
 * reuses its connections. Requests go through the pool's `dispatch` with a
 * handler of our own, not undici's `request`: that one wraps every answer in
 * a body stream, a promise chain and abort-signal listeners, which cost 45 to
 * 75 µs of CPU per POST against about 22 here (`scripts/bench-dispatcher.ts`),
 * and a webhook is sent for every event of every load-tested request.
 */
const pool = new Agent({ keepAliveTimeout: IDLE_MS, keepAliveMaxTimeout: IDLE_MS })

/** Error thrown when the receiver has not answered within the attempt's timeout. */
export class ReceiverTimeout extends Error {
  override name = 'TimeoutError'
}

/** Where a URL's requests go, split once per URL: an endpoint's URL repeats for every event. */
const targets = new Map<string, { origin: string; path: string }>()
const MAX_TARGETS = 1_000

function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url)
  if (target) return target
  const parsed = new URL(url)
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`unsupported protocol ${parsed.protocol}`)
  target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
  if (targets.size >= MAX_TARGETS) targets.clear()
  targets.set(url, target)
  return target
}

/**
 * One POST, the answer read whole. Rejects when no answer comes: a refused or
 * broken connection (the error's `code`), or no answer in `timeoutMs` real ms
 * ({@link ReceiverTimeout}, at once, even while the connection is still being
 * made). Redirects are answers, not followed.
 */
export function post(
  url: string,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<ReceiverAnswer> {
  return new Promise((resolve, reject) => {
    const { origin, path } = targetOf(url)
    new Attempt(resolve, reject, request.timeoutMs).send(origin, path, request)
  })
}

/** One request's handler (undici's dispatch interface): collects the answer, settles once. */
class Attempt implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private settled = false
  /** Set when the attempt's time is up: the failure it settled with, and the reason a later start is aborted. */
  private timedOut: ReceiverTimeout | undefined
  private status = 0
  private headers: IncomingHttpHeaders = {}
  private readonly chunks: Buffer[] = []
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly resolve: (answer: ReceiverAnswer) => void,
    private readonly reject: (failure: unknown) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(onAttemptTimeout, timeoutMs, this)
  }

  send(origin: string, path: string, request: { headers: Record<string, string>; body: string }) {
    try {
      // The attempt's own timer decides; undici's default 300 s timeouts never come first.
      pool.dispatch(
        {
          origin,
          path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        this,
      )
    } catch (error) {
      this.fail(error)
    }
  }

  timeOut() {
    // Made only when it happens: an Error captures a stack (7 % of the sender's CPU when made per attempt).
    this.timedOut = new ReceiverTimeout('the receiver did not answer in time')
    this.controller?.abort(this.timedOut)
    this.fail(this.timedOut)
  }

  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller
    // Timed out while the connection was being made: the request is not sent.
    if (this.timedOut) controller.abort(this.timedOut)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders) {
    this.status = status
    this.headers = headers
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer) {
    this.chunks.push(chunk)
  }

  onResponseEnd() {
    if (this.settled) return
    this.settled = true
    clearTimeout(this.timer)
    const text = this.chunks.length === 1 ? this.chunks[0]!.toString() : Buffer.concat(this.chunks).toString()
    this.resolve({ status: this.status, headers: this.headers, text })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error) {
    this.fail(error)
  }

  private fail(failure: unknown) {
    if (this.settled) return
    this.settled = true
    clearTimeout(this.timer)
    this.reject(failure)
  }
}

/** A module function, not a closure per attempt. */
function onAttemptTimeout(attempt: Attempt) {
  attempt.timeOut()
}
