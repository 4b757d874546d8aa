import { randomUUID } from 'node:crypto';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { connectRedis, type RedisLike } from './redis-client.js';

/** What any instance needs to serve a session another instance started. */
export interface SessionRecord {
  /** The principal the session was opened as (requests of another principal are refused). */
  principal: string;
  /** What the SDK server learned at initialize and the client set later. */
  state: SessionState;
}

/** A session's negotiated state, restored into a fresh SDK server on another instance. */
export interface SessionState {
  protocolVersion?: string;
  clientCapabilities?: unknown;
  clientInfo?: unknown;
  logLevel?: string;
  /** Resource URIs subscribed to. */
  subscriptions?: string[];
}

/** One message of a session's GET streams, as published and kept for replay. */
export interface SessionEvent {
  id: number;
  data: string;
}

/** Events kept per session for `Last-Event-ID` replay (as in the single-process streams). */
const KEEP_EVENTS = 500;

/**
 * MCP sessions recorded in Redis (HEARTH_REDIS_URL), so several `hearth mcp --http` instances behind
 * a load balancer serve one session together: whichever instance gets a request rebuilds the session
 * from its record; cancellations reach the instance running the call, and server-to-client messages
 * reach whichever instance holds the client's GET stream, through pub/sub.
 *
 * Keys (prefix `hearth` by default): `<p>:mcp:session:<id>` (the record, expiring after the idle
 * time), `<p>:mcp:events:<id>` (the last 500 events) and `<p>:mcp:event-id:<id>`; channels
 * `<p>:mcp:cancel` and `<p>:mcp:events:<id>`.
 */
export class RedisSessionStore {
  /** This process, so it can skip its own cancellations. */
  readonly instance = randomUUID();
  private readonly listeners = new Map<string, Set<(e: SessionEvent) => void>>();
  private cancelListener: ((sessionId: string, requestId: RequestId) => void) | undefined;

  private constructor(
    private readonly redis: RedisLike,
    private readonly sub: RedisLike,
    private readonly prefix: string,
    readonly ttlMs: number,
  ) {
    sub.on('message', (channel, message) => this.dispatch(channel, message));
  }

  /** Connects (two connections: commands, and subscriptions) and listens for cancellations. */
  static async open(url: string, options: { ttlMs: number; prefix?: string }): Promise<RedisSessionStore> {
    const redis = await connectRedis(url);
    const sub = await connectRedis(url).catch((err) => {
      redis.disconnect();
      throw err;
    });
    const store = new RedisSessionStore(redis, sub, `${options.prefix ?? 'hearth'}:mcp`, options.ttlMs);
    await sub.subscribe(store.cancelChannel);
    return store;
  }

  private get cancelChannel() {
    return `${this.prefix}:cancel`;
  }
  private key(kind: 'session' | 'events' | 'event-id', id: string) {
    return `${this.prefix}:${kind}:${id}`;
  }

  async save(id: string, record: SessionRecord): Promise<void> {
    await this.redis.set(this.key('session', id), JSON.stringify(record), 'PX', this.ttlMs);
  }

  /** Extends a session's life by the idle time and reads it; undefined when it has expired or was deleted. */
  async refresh(id: string): Promise<SessionRecord | undefined> {
    // one round trip: ioredis pipelines commands sent together on one connection
    const [, raw] = await Promise.all([
      this.redis.pexpire(this.key('session', id), this.ttlMs),
      this.redis.get(this.key('session', id)),
    ]);
    return raw ? (JSON.parse(raw) as SessionRecord) : undefined;
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(this.key('session', id), this.key('events', id), this.key('event-id', id));
  }

  /** Tells every instance that the client cancelled `requestId` of session `sessionId`. */
  async publishCancel(sessionId: string, requestId: RequestId): Promise<void> {
    await this.redis.publish(this.cancelChannel, JSON.stringify({ from: this.instance, sessionId, requestId }));
  }

  /** Called for cancellations published by other instances. */
  onCancel(listener: (sessionId: string, requestId: RequestId) => void): void {
    this.cancelListener = listener;
  }

  /** Numbers a server-to-client message, keeps it for replay and publishes it to the session's streams. */
  async publishEvent(sessionId: string, data: string): Promise<void> {
    const id = await this.redis.incr(this.key('event-id', sessionId));
    const event = JSON.stringify({ id, data } satisfies SessionEvent);
    const events = this.key('events', sessionId);
    await this.redis.rpush(events, event);
    await Promise.all([
      this.redis.ltrim(events, -KEEP_EVENTS, -1),
      this.redis.pexpire(events, this.ttlMs),
      this.redis.pexpire(this.key('event-id', sessionId), this.ttlMs),
      this.redis.publish(events, event),
    ]);
  }

  /** Events of `sessionId` after event `last` (a reconnecting client's Last-Event-ID). */
  async eventsAfter(sessionId: string, last: number): Promise<SessionEvent[]> {
    const raw = await this.redis.lrange(this.key('events', sessionId), 0, -1);
    return raw.map((r) => JSON.parse(r) as SessionEvent).filter((e) => e.id > last);
  }

  /** Receives the session's published events until the returned function is called. */
  async subscribeEvents(sessionId: string, listener: (e: SessionEvent) => void): Promise<() => void> {
    const channel = this.key('events', sessionId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.sub.subscribe(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      this.sub.unsubscribe(channel).catch(() => {});
    };
  }

  /** Redis answers (for /readyz). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.redis.quit().catch(() => {}), this.sub.quit().catch(() => {})]);
  }

  private dispatch(channel: string, message: string): void {
    try {
      if (channel === this.cancelChannel) {
        const m = JSON.parse(message) as { from: string; sessionId: string; requestId: RequestId };
        if (m.from !== this.instance) this.cancelListener?.(m.sessionId, m.requestId);
        return;
      }
      const event = JSON.parse(message) as SessionEvent;
      for (const l of this.listeners.get(channel) ?? []) l(event);
    } catch {
      // a malformed message from outside Hearth: nothing to deliver
    }
  }
}
