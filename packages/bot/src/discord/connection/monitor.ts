import { type Client, Events } from 'discord.js';
import type { SurfaceContext } from '../context.js';
import { closeCodeInfo, describeCloseCode } from './close-codes.js';

/** @discordjs/ws reports each close as a "Destroying shard" debug line carrying the code. */
const DESTROYED = /Destroying shard[\s\S]*?Code: (\d+)/;
/** Close codes @discordjs/ws makes up itself (resume after a zombie heartbeat): not the gateway's. */
const SYNTHETIC = new Set([4200]);

/** Default of `discord.readyTimeoutMs`: long enough for a slow first IDENTIFY, short enough to notice. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** The gateway's side of the connection, as logged and as the ready timeout reports it. */
export class ConnectionMonitor {
  /** Every close code the gateway sent since start, oldest first (bounded). */
  readonly closes: { code: number; at: number; shard: number }[] = [];
  private stopping = false;
  private fatal: ((err: Error) => void) | undefined;

  constructor(
    private readonly client: Client,
    private readonly log: SurfaceContext['log'],
    private readonly redact: (text: string) => string,
  ) {
    client.on(Events.Debug, (message) => this.onDebug(message));
    client.on(Events.ShardDisconnect, (event, shard) => {
      const info = closeCodeInfo(event.code);
      log.error(
        { shard, code: event.code, name: info.name, fix: info.fix },
        `discord: gateway closed for good: ${describeCloseCode(event.code)}`,
      );
      this.fatal?.(new Error(`the gateway refused the connection with ${describeCloseCode(event.code)}`));
    });
    client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, 'discord: reconnecting'));
    client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'discord: session resumed'));
  }

  /** Marks the disconnect that follows as ours (no warnings for it). */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Resolves when the client is ready; rejects with a message naming the close codes seen when it
   * is not ready within `timeoutMs`, or at once when the gateway closes with a code discord.js
   * does not retry (4004 bad token, 4014 disallowed intents, ...).
   */
  waitReady(timeoutMs: number): Promise<void> {
    if (this.client.isReady()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.client.off(Events.ClientReady, onReady);
        this.fatal = undefined;
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(() => done(new Error(this.timeoutMessage(timeoutMs))), timeoutMs);
      this.fatal = (err) => done(err);
      this.client.once(Events.ClientReady, onReady);
    });
  }

  private timeoutMessage(ms: number): string {
    const seconds = `${Math.round(ms / 100) / 10} s`;
    if (!this.closes.length) {
      return `not ready within ${seconds} (discord.readyTimeoutMs) and the gateway sent no close code: check that the gateway URL from /gateway/bot is reachable, or run with --verbose to see the gateway conversation`;
    }
    const counts = new Map<number, number>();
    for (const c of this.closes) counts.set(c.code, (counts.get(c.code) ?? 0) + 1);
    const summary = [...counts].map(([code, n]) => `${code} ×${n}`).join(', ');
    const last = this.closes.at(-1)!.code;
    return `not ready within ${seconds} (discord.readyTimeoutMs): the gateway closed the connection ${this.closes.length} times (${summary}); last close ${describeCloseCode(last)}`;
  }

  private onDebug(message: string): void {
    // discord.js debug lines go to --verbose (debug level); the token never appears in them, but redact anyway
    this.log.debug({ gateway: this.redact(message) }, 'discord: gateway debug');
    const m = DESTROYED.exec(message);
    if (!m || this.stopping) return;
    const code = Number(m[1]);
    if (SYNTHETIC.has(code)) return;
    const shard = Number(/Shard (\d+)/.exec(message)?.[1] ?? 0);
    this.closes.push({ code, at: Date.now(), shard });
    if (this.closes.length > 1000) this.closes.shift();
    const info = closeCodeInfo(code);
    if (!info.retried) return; // ShardDisconnect reports these
    this.log.warn(
      { shard, code, name: info.name, meaning: info.meaning, fix: info.fix },
      `discord: gateway closed with ${code} ${info.name} (${info.meaning}); reconnecting`,
    );
  }
}
