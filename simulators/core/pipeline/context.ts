import type { ProviderContext, ProviderServices } from '../provider.ts'
import type { AccountWebhooks } from '../webhooks/types.ts'

/**
 * A handler's context. A class rather than an object literal because one is
 * made per request: no spread and no closures on the hot path.
 */
export class RequestContext<State> implements ProviderContext<State> {
  readonly provider: string
  readonly store: ProviderServices<State>['store']
  readonly clock: ProviderServices<State>['clock']
  readonly ids: ProviderServices<State>['ids']
  readonly random: ProviderServices<State>['random']
  readonly baseUrl: string
  readonly log: ProviderServices<State>['log']
  readonly later: ProviderServices<State>['later']
  readonly webhooksFor: ProviderServices<State>['webhooksFor']
  readonly inboxFor: ProviderServices<State>['inboxFor']
  readonly state: State
  readonly webhooks: AccountWebhooks
  readonly inbox: ProviderContext<State>['inbox']

  constructor(
    private readonly services: ProviderServices<State>,
    readonly account: string,
    readonly requestId: string,
  ) {
    this.provider = services.provider
    this.store = services.store
    this.clock = services.clock
    this.ids = services.ids
    this.random = services.random
    this.baseUrl = services.baseUrl
    this.log = services.log
    this.later = services.later
    this.webhooksFor = services.webhooksFor
    this.inboxFor = services.inboxFor
    this.state = services.store.get(account)
    this.webhooks = services.webhooksFor(account)
    this.inbox = services.inboxFor(account)
  }

  forAccount(account: string): ProviderContext<State> {
    return new RequestContext(this.services, account, this.requestId)
  }
}
