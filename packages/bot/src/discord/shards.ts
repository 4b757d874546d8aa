import { fileURLToPath } from 'node:url';
import { type Shard, ShardingManager } from 'discord.js';

const DISCORD_API = 'https://discord.com/api';

/**
 * Discord's recommended shard count from `GET /gateway/bot`, asked of the configured API (discord.js's
 * own 'auto' always asks discord.com, which a Discord-compatible server would not see).
 */
export async function recommendedShards(token: string, apiUrl = DISCORD_API): Promise<number> {
  const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/v10/gateway/bot`, {
    headers: { Authorization: `Bot ${token}` },
  });
  if (res.status === 401) throw new Error('Discord rejected the token (401): check DISCORD_TOKEN.');
  if (!res.ok) throw new Error(`GET /gateway/bot answered HTTP ${res.status}`);
  const body = (await res.json()) as { shards?: number };
  if (!Number.isInteger(body.shards) || body.shards! < 1) throw new Error('GET /gateway/bot gave no shard count');
  return body.shards!;
}

/** A shard process's life, as the manager sees it (for logs and recovery timings). */
export interface ShardEvent {
  shard: number;
  /**
   * `death`: the process exited (it is respawned); `ready`: its client is connected again;
   * `error`: a respawn failed (the shard stays down).
   */
  type: 'spawn' | 'ready' | 'death' | 'error';
  /** What failed, for `error`. */
  error?: string;
  /** Exit code or signal, for `death`. */
  exit?: number | string | null;
  at: number;
}

/** Options of {@link startSharded}. */
export interface ShardedOptions {
  token: string;
  apiUrl?: string;
  /** `auto` (Discord's recommendation) or the bot's total number of shards. */
  shards: 'auto' | number;
  /**
   * Shard ids this machine runs (default every id of the total): several machines share one bot
   * by each running a range of the same total.
   */
  shardList?: number[];
  /** Arguments for each shard process (the CLI's global options: config file, data folder). */
  shardArgs?: string[];
  /** Delay between shard spawns; Discord allows one IDENTIFY per 5 s per bucket. */
  spawnDelayMs?: number;
  /** Told when a shard process spawns, is ready, or dies (and is respawned). */
  onShardEvent?: (event: ShardEvent) => void;
}

/** A running sharding manager. */
export interface Sharded {
  manager: ShardingManager;
  /** The bot's total shard count. */
  total: number;
  /** The ids this machine runs. */
  ids: number[];
  stop(): Promise<void>;
}

/**
 * Runs the bot in several processes through discord.js's ShardingManager: each shard process
 * builds its own Hearth and connects its share of guilds. A shard process that dies is spawned
 * again (a new session for that shard). Resolves once every shard of this machine is ready.
 */
export async function startSharded(options: ShardedOptions): Promise<Sharded> {
  const total = options.shards === 'auto' ? await recommendedShards(options.token, options.apiUrl) : options.shards;
  const ids = options.shardList ?? Array.from({ length: total }, (_, i) => i);
  const outside = ids.filter((id) => !Number.isInteger(id) || id < 0 || id >= total);
  if (!ids.length || outside.length)
    throw new Error(`shard ids ${outside.join(', ') || '(none)'} are outside 0-${total - 1} (the bot has ${total})`);
  const entry = fileURLToPath(
    new URL(`./shard-entry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const manager = new ShardingManager(entry, {
    token: options.token,
    totalShards: total,
    shardList: ids,
    shardArgs: options.shardArgs ?? [],
    // Shards run the same way as this process (tsx and export conditions when run from source).
    execArgv: process.execArgv,
    respawn: true,
  });
  const tell = options.onShardEvent ?? (() => {});
  manager.on('shardCreate', (shard: Shard) => {
    // a failed respawn is emitted as 'error': unheard, it would throw and end the manager
    shard.on('error', (err: Error) =>
      tell({ shard: shard.id, type: 'error', error: err?.message ?? String(err), at: Date.now() }),
    );
    shard.on('spawn', () => tell({ shard: shard.id, type: 'spawn', at: Date.now() }));
    shard.on('ready', () => tell({ shard: shard.id, type: 'ready', at: Date.now() }));
    shard.on('death', (child) => {
      const proc = child as { exitCode?: number | null; signalCode?: string | null };
      tell({ shard: shard.id, type: 'death', exit: proc.signalCode ?? proc.exitCode ?? null, at: Date.now() });
    });
  });
  const stop = async () => {
    // shard.kill() drops the manager's exit listener (no respawn) before signalling the process.
    await Promise.all(
      manager.shards.map((shard) => {
        const child = shard.process;
        if (!child || child.exitCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        shard.kill();
        return exited;
      }),
    );
  };
  try {
    await manager.spawn({ amount: total, delay: options.spawnDelayMs ?? 5_500, timeout: 60_000 });
  } catch (err) {
    // a shard that died or hung on its way up: stop the respawns and the shards already up, so
    // nothing is left running behind a failed start (the shard's own error is in its output)
    manager.respawn = false;
    await new Promise((r) => setImmediate(r)); // a respawn already under way has its process by now
    await stop();
    throw new Error(`a shard did not start: ${(err as Error).message}`);
  }
  return { manager, total, ids, stop };
}
