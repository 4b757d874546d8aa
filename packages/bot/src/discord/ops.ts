import { metrics, readiness } from '@hearth/core/ops';
import { type Client, Status } from 'discord.js';
import { type OpsServer, parseOpsListen, startOpsServer } from '../ops/index.js';
import type { DiscordHearth } from './context.js';

/** Where a Discord process serves its ops endpoints: `--ops`, else `config.ops.listen`, else HEARTH_OPS_LISTEN. */
export function opsListen(flag: string | undefined, config: unknown): string | undefined {
  // config.ops.listen is read when the config schema has it (it reads HEARTH_OPS_LISTEN itself then)
  const fromConfig = (config as { ops?: { listen?: unknown } } | undefined)?.ops?.listen;
  return (
    flag ?? (typeof fromConfig === 'string' && fromConfig ? fromConfig : process.env.HEARTH_OPS_LISTEN || undefined)
  );
}

/**
 * `host:port` moved `offset` ports up: each shard process of a machine serves its own port
 * (`port + its index among this machine's shards`). Port 0 stays 0 (any free port).
 */
export function offsetListen(listen: string, offset: number): { host: string; port: number } {
  const parsed = parseOpsListen(listen);
  if (parsed.port === 0 || offset === 0) return parsed;
  const port = parsed.port + offset;
  if (port > 65_535) throw new Error(`--ops ${listen}: shard ${offset} would need port ${port}, above 65535`);
  return { ...parsed, port };
}

/** Readiness of a Discord process: every shard's gateway session ready, and the database answering. */
export function discordChecks(
  client: () => Client | undefined,
  hearth: DiscordHearth,
): Record<string, () => Promise<void>> {
  const h = hearth as DiscordHearth & { database?: { ping?: () => Promise<unknown> } };
  return {
    gateway: async () => {
      const c = client();
      if (!c) throw new Error('not connected to the gateway yet');
      const shards = [...c.ws.shards.values()];
      const down = shards.filter((s) => s.status !== Status.Ready).map((s) => `${s.id} (${Status[s.status]})`);
      if (!c.isReady() || !shards.length) throw new Error('not connected to the gateway yet');
      if (down.length) throw new Error(`shard ${down.join(', ')} not ready`);
    },
    database: async () => {
      // the shared database when this Hearth has one, else the data folder's SQLite
      if (typeof h.database?.ping === 'function') await h.database.ping();
      else h.db?.prepare('SELECT 1').get();
    },
  };
}

/**
 * Serves /healthz, /readyz (gateway and database) and /metrics for one Discord process. Start it
 * before connecting (`client` answers undefined until then): a taken port fails the start instead
 * of a process that is already on the gateway, which a sharding manager would respawn forever.
 */
export function startDiscordOps(
  listen: { host: string; port: number },
  hearth: DiscordHearth,
  client: () => Client | undefined,
): Promise<OpsServer> {
  const redact = (t: string) => (hearth.redactor ? hearth.redactor.redact(t) : t);
  return startOpsServer({
    ...listen,
    metrics: () => metrics().scrape(),
    ready: () => readiness(discordChecks(client, hearth), { redact }),
  });
}
