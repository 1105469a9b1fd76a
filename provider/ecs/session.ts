/**
 * One session per account, endpoint and rate: the wire (signing, transport, retries), its token
 * bucket, the ECS clients per region and the task watcher per destination region. Cached by a key
 * that covers everything a session is built from, so that a changed secret key, session token or
 * rate limit within one process makes a new session instead of being silently ignored.
 */
import { DestinationRegionClient, SourceRegionClient } from "./client";
import { missingCredentialsMessage, type ProviderSettings } from "../settings/config";
import { TokenBucket } from "./rate-limit";
import { TaskWatcher } from "../waiting/task-watcher";
import { WireClient } from "./wire";
import { hash } from "../operations/naming";
import type { Clock } from "../settings/clock";
import type { Tunables } from "../settings/tunables";

export interface Session {
  readonly wire: WireClient;
  readonly bucket: TokenBucket;
  /** The client that signs for the source region; its requests cancelled by `signal` and bounded by
   * `deadline` (the operation's, on the session's clock: requests, retries and token waits stop there). */
  source(region: string, signal?: AbortSignal, deadline?: number): SourceRegionClient;
  /** The client that signs for the destination region; its requests cancelled by `signal` and bounded by `deadline`. */
  destination(region: string, signal?: AbortSignal, deadline?: number): DestinationRegionClient;
  /** The task watcher every copy waiting in that region shares. */
  watcher(region: string): TaskWatcher;
}

export interface SessionOptions {
  tunables: Tunables;
  clock: Clock;
  /** Where a watcher says that a poll failed and will be tried again. */
  log: (message: string) => void;
  /** Cancels the watchers' requests: the process is stopping. */
  signal?: AbortSignal;
}

/** The cache key: endpoint, a hash of every credential part, and the rate settings. No credential appears in it. */
export function sessionKey(settings: ProviderSettings): string {
  const c = settings.credentials;
  const secrets = c ? hash([c.accessKeyId, c.secretKey, c.sessionToken ?? ""].join("\u0000"), 24) : "none";
  return `${settings.endpoint.protocol}//${settings.endpoint.host}|${secrets}|rate=${settings.maxRequestsPerSecond ?? "default"}`;
}

export class SessionCache {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: SessionOptions) {}

  /** The session for these settings; throws when there are no credentials. */
  for(settings: ProviderSettings): Session {
    if (!settings.credentials) throw new Error(missingCredentialsMessage(settings));
    const key = sessionKey(settings);
    let session = this.sessions.get(key);
    if (!session) {
      session = this.open(settings);
      this.sessions.set(key, session);
    }
    return session;
  }

  private open(settings: ProviderSettings): Session {
    const { tunables, clock, log, signal } = this.options;
    const bucket = new TokenBucket({ perSecond: settings.maxRequestsPerSecond });
    // The wire measures operation deadlines on the life cycle's clock (the token bucket's refill
    // stays on real time: it paces requests to the real service).
    const wire = new WireClient({
      endpoint: settings.endpoint,
      credentials: settings.credentials!,
      requestTimeoutMs: tunables.requestTimeoutMs,
      retry: tunables.retry,
      rateLimiter: bucket,
      clock,
    });
    const sources = new Map<string, SourceRegionClient>();
    const destinations = new Map<string, DestinationRegionClient>();
    const watchers = new Map<string, TaskWatcher>();
    const destination = (region: string) => {
      let d = destinations.get(region);
      if (!d) destinations.set(region, (d = new DestinationRegionClient(wire, region)));
      return d;
    };
    return {
      wire,
      bucket,
      source(region, sig, deadline) {
        let s = sources.get(region);
        if (!s) sources.set(region, (s = new SourceRegionClient(wire, region)));
        return sig || deadline !== undefined ? s.withSignal(sig, deadline) : s;
      },
      destination: (region, sig, deadline) => (sig || deadline !== undefined ? destination(region).withSignal(sig, deadline) : destination(region)),
      watcher(region) {
        let w = watchers.get(region);
        if (!w) watchers.set(region, (w = new TaskWatcher(region, destination(region).withSignal(signal), tunables.waitPolicy, clock, log)));
        return w;
      },
    };
  }
}
