/**
 * standin as a testcontainers module, in the style of the WireMock and
 * LocalStack modules: one container runs the hub image (every provider and the
 * control plane), and the started container answers each provider's URL and a
 * typed control client.
 *
 * @example
 * import { StandinContainer } from 'standin/testcontainers'
 * const standin = await new StandinContainer().withSeed(7).withTimeScale(60).start()
 * const stripe = new Stripe('sk_test_x', { host: standin.getHost(), port: standin.getProviderPort('stripe'), protocol: 'http' })
 * await standin.client().faults.add({ match: { provider: 'stripe' }, effect: { type: 'provider-error', error: 'card_declined' } })
 * await standin.stop()
 */
import { randomBytes } from 'node:crypto'
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from 'testcontainers'
import { StandinClient } from '../core/control/client.ts'

/** The image `docker/hub.Dockerfile` builds (scripts/docker/build.sh tags it so). */
export const STANDIN_IMAGE = 'standin/hub:latest'

/**
 * The ports the hub listens on inside the container: the CLI's defaults. Kept
 * here rather than read from the simulators so this module loads without them
 * (it needs only testcontainers and the client).
 */
export const CONTAINER_PORTS = {
  control: 4700,
  twilio: 4701,
  aligo: 4702,
  sendgrid: 4703,
  stripe: 4704,
  razorpay: 4705,
  toss: 4706,
} as const
export type StandinProvider = Exclude<keyof typeof CONTAINER_PORTS, 'control'>
const providerNames = Object.keys(CONTAINER_PORTS).filter((k) => k !== 'control') as StandinProvider[]

/** Started = the control plane answers its health route (with the token every control route needs). */
const healthy = (token: string) =>
  Wait.forHttp('/_standin/health', CONTAINER_PORTS.control)
    .withHeaders({ Authorization: `Bearer ${token}` })
    .forStatusCode(200)

/** A preset applied once the hub is up, as `standin preset apply <name> --var k=v`. */
interface PresetToApply {
  name: string
  vars: Record<string, string>
}

export class StandinContainer extends GenericContainer {
  private token: string
  private readonly presets: PresetToApply[] = []
  private readonly webhooks: string[] = []

  constructor(image: string = STANDIN_IMAGE) {
    super(image)
    // The hub binds 0.0.0.0 in a container, which the control plane allows only behind a token.
    this.token = randomBytes(18).toString('base64url')
    this.withExposedPorts(...Object.values(CONTAINER_PORTS))
      .withEnvironment({ STANDIN_HOST: '0.0.0.0', STANDIN_CONTROL_TOKEN: this.token })
      .withWaitStrategy(healthy(this.token))
      .withStartupTimeout(60_000)
  }

  /** Seed for generated ids and probabilistic faults: a run replays exactly (STANDIN_SEED). */
  withSeed(seed: number): this {
    return this.withEnvironment({ STANDIN_SEED: String(seed) })
  }

  /** Virtual ms per real ms: 3600 makes an hour of provider time pass in a second (STANDIN_TIME_SCALE). */
  withTimeScale(scale: number): this {
    return this.withEnvironment({ STANDIN_TIME_SCALE: String(scale) })
  }

  /** Only these providers are started (STANDIN_PROVIDERS); the others' URLs are then refused. */
  withProviders(...providers: StandinProvider[]): this {
    return this.withEnvironment({ STANDIN_PROVIDERS: providers.join(',') })
  }

  /** A folder of preset JSON files on this machine, copied in as the hub's presets (STANDIN_PRESETS_DIR). */
  withPresetsDir(hostDir: string): this {
    return this.withCopyDirectoriesToContainer([{ source: hostDir, target: '/presets' }]).withEnvironment({
      STANDIN_PRESETS_DIR: '/presets',
    })
  }

  /** Applies a preset (the image's own, or one of withPresetsDir) as soon as the hub is up. */
  withPreset(name: string, vars: Record<string, string> = {}): this {
    this.presets.push({ name, vars })
    return this
  }

  /** Sends a provider's events to `url` (as reachable from inside the container), signed with `secret`. */
  withWebhook(provider: StandinProvider, url: string, secret?: string): this {
    this.webhooks.push(`${provider}=${url}${secret ? `#${secret}` : ''}`)
    return this.withEnvironment({ STANDIN_WEBHOOKS: this.webhooks.join(',') })
  }

  /** The control-plane token (by default a random one per container). */
  withControlToken(token: string): this {
    this.token = token
    return this.withEnvironment({ STANDIN_CONTROL_TOKEN: token }).withWaitStrategy(healthy(token))
  }

  override async start(): Promise<StartedStandinContainer> {
    const started = new StartedStandinContainer(await super.start(), this.token)
    try {
      for (const preset of this.presets) await started.client().presets.apply(preset.name, preset.vars)
    } catch (error) {
      await started.stop()
      throw error
    }
    return started
  }
}

export class StartedStandinContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly token: string,
  ) {
    super(started)
  }

  /** The control plane and dashboard, e.g. `http://localhost:32768` (the client's `url`). */
  getControlUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(CONTAINER_PORTS.control)}`
  }

  /** The port a provider's SDK is pointed at on this machine. */
  getProviderPort(provider: StandinProvider): number {
    return this.getMappedPort(CONTAINER_PORTS[provider])
  }

  /** A provider's base URL (its API at the root, as on its own port). */
  getProviderUrl(provider: StandinProvider): string {
    return `http://${this.getHost()}:${this.getProviderPort(provider)}`
  }

  /** Every provider's base URL, by name (e.g. for an app's `*_BASE_URL` settings). */
  getProviderUrls(): Record<StandinProvider, string> {
    return Object.fromEntries(providerNames.map((p) => [p, this.getProviderUrl(p)])) as Record<
      StandinProvider,
      string
    >
  }

  getTwilioUrl = () => this.getProviderUrl('twilio')
  getAligoUrl = () => this.getProviderUrl('aligo')
  getSendgridUrl = () => this.getProviderUrl('sendgrid')
  getStripeUrl = () => this.getProviderUrl('stripe')
  getRazorpayUrl = () => this.getProviderUrl('razorpay')
  getTossUrl = () => this.getProviderUrl('toss')

  /** The control-plane token the container was started with (`Authorization: Bearer …`). */
  getControlToken(): string {
    return this.token
  }

  /** The typed control client (faults, presets, clock, inboxes, journal, webhooks), token included. */
  client(): StandinClient {
    return new StandinClient({ url: this.getControlUrl(), token: this.token })
  }
}
