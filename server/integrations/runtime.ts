// Per-process state of the integrations: shared rate/concurrency limits per application, and one
// AbortController per application so that deactivation stops in-flight SCIM requests at once.
import { LimitsRegistry, type NetworkPolicy, ScimClient, type ScimClientOptions, type ScimLogger, STRICT_NETWORK } from '../scim/index.ts';
import type { IdmSettings } from './integrations.schemas.ts';

/** Why an application's work was stopped. Only `reconfigured` lets it go on, with the new settings. */
export const STOP_MESSAGES = {
  deactivated: 'integration deactivated',
  deleted: 'application deleted',
  reconfigured: 'integration connection settings changed',
} as const;
export type StopReason = keyof typeof STOP_MESSAGES;

/** The reason of an aborted application signal. */
class IntegrationStopped extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(STOP_MESSAGES[reason]);
    this.name = 'IntegrationStopped';
    this.reason = reason;
  }
}

/** Why the signal stopped the work: undefined unless it was aborted by {@link IntegrationRuntime.abort}. */
export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  return signal.aborted && signal.reason instanceof IntegrationStopped ? signal.reason.reason : undefined;
}

export class IntegrationRuntime {
  readonly #limits = new LimitsRegistry();
  readonly #controllers = new Map<string, AbortController>();
  readonly #limitKeys = new Map<string, string>();
  readonly #logger?: ScimLogger;
  /** The operator's rules for every client of this process (ROSTER_SCIM_ALLOWED_NETWORKS, ROSTER_SCIM_ALLOW_HTTP). */
  readonly network: NetworkPolicy;

  constructor(options: { network?: NetworkPolicy; logger?: ScimLogger } = {}) {
    this.#logger = options.logger;
    this.network = options.network ?? STRICT_NETWORK;
  }

  /** Aborted when the application's work must stop (in this process): see {@link StopReason}. */
  signalFor(applicationId: string): AbortSignal {
    let c = this.#controllers.get(applicationId);
    if (!c || c.signal.aborted) {
      c = new AbortController();
      this.#controllers.set(applicationId, c);
    }
    return c.signal;
  }

  /** Applications with work in flight in this process (a live abort signal). */
  inFlight(): string[] {
    return [...this.#controllers].filter(([, c]) => !c.signal.aborted).map(([id]) => id);
  }

  abort(applicationId: string, reason: StopReason): void {
    const c = this.#controllers.get(applicationId);
    this.#controllers.delete(applicationId);
    c?.abort(new IntegrationStopped(reason));
  }

  /** A client whose rate limit and concurrency are shared by everything this process does for the application. */
  client(
    applicationId: string,
    options: Omit<ScimClientOptions, 'rateLimit' | 'concurrency' | 'logger' | 'network'>,
    settings: IdmSettings,
  ): ScimClient {
    // Settings changed: start fresh limits with the new numbers.
    const key = `${settings.rateLimitPerSecond}/${settings.rateLimitBurst}/${settings.concurrency}`;
    if (this.#limitKeys.get(applicationId) !== key) {
      this.#limits.delete(applicationId);
      this.#limitKeys.set(applicationId, key);
    }
    const limits = this.#limits.get(applicationId, {
      rateLimit: { requestsPerSecond: settings.rateLimitPerSecond, burst: settings.rateLimitBurst },
      concurrency: settings.concurrency,
    });
    return new ScimClient({
      ...options,
      network: this.network,
      rateLimit: limits.rateLimiter ?? null,
      concurrency: limits.semaphore,
      logger: this.#logger,
    });
  }
}
