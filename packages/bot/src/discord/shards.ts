import { fileURLToPath } from 'node:url';
import { ShardingManager } from 'discord.js';

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

/** Options of {@link startSharded}. */
export interface ShardedOptions {
  token: string;
  apiUrl?: string;
  /** `auto` (Discord's recommendation) or a number of shards. */
  shards: 'auto' | number;
  /** Arguments for each shard process (the CLI's global options: config file, data folder). */
  shardArgs?: string[];
  /** Delay between shard spawns; Discord allows one IDENTIFY per 5 s per bucket. */
  spawnDelayMs?: number;
}

/**
 * Runs the bot in several processes through discord.js's ShardingManager: each shard process
 * builds its own Hearth and connects its share of guilds. Resolves once every shard is ready.
 */
export async function startSharded(
  options: ShardedOptions,
): Promise<{ manager: ShardingManager; total: number; stop(): Promise<void> }> {
  const total = options.shards === 'auto' ? await recommendedShards(options.token, options.apiUrl) : options.shards;
  const entry = fileURLToPath(
    new URL(`./shard-entry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const manager = new ShardingManager(entry, {
    token: options.token,
    totalShards: total,
    shardArgs: options.shardArgs ?? [],
    // Shards run the same way as this process (tsx and export conditions when run from source).
    execArgv: process.execArgv,
    respawn: true,
  });
  await manager.spawn({ amount: total, delay: options.spawnDelayMs ?? 5_500, timeout: 60_000 });
  return {
    manager,
    total,
    async stop() {
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
    },
  };
}
