/**
 * One shard process spawned by {@link startSharded}: discord.js passes the shard id through the
 * environment (SHARDS, SHARD_COUNT, DISCORD_TOKEN); argv carries `--config`, `--data-dir`, and
 * with ops on, `--ops host:port` and `--local-shards` (this machine's ids: the process serves
 * its ops endpoints on port + its index among them).
 */
import { createHearth, loadConfig } from '@hearth/core';
import { offsetListen, startDiscordOps } from './ops.js';
import { startDiscord } from './surface.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const configPath = flag('--config');
const dataDir = flag('--data-dir');
const ops = flag('--ops');
const local = (flag('--local-shards') ?? '').split(',').filter(Boolean).map(Number);
const config = await loadConfig({ configPath, overrides: dataDir ? { dataDir } : {} });
const hearth = await createHearth({ config, importPlugin: (s) => import(s) });
const shardId = Number(process.env.SHARDS);
// without --local-shards every id of the total runs on this machine: the id is the index
const offset = local.length ? local.indexOf(shardId) : shardId;
let surface: Awaited<ReturnType<typeof startDiscord>> | undefined;
// ops first: a taken port ends this shard before it is ready, which fails the manager's start
const server = ops
  ? await startDiscordOps(offsetListen(ops, Math.max(0, offset)), hearth, () => surface?.client)
  : undefined;
surface = await startDiscord(hearth);
if (server) hearth.log.info({ shard: shardId, ops: server.url }, 'discord: shard ops endpoints listening');
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await server?.close();
  await surface?.stop();
  await hearth.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
