/**
 * One shard process spawned by {@link startSharded}: discord.js passes the shard ids through the
 * environment (SHARDS, SHARD_COUNT, DISCORD_TOKEN); argv carries `--config` and `--data-dir`.
 */
import { createHearth, loadConfig } from '@hearth/core';
import { startDiscord } from './surface.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const configPath = flag('--config');
const dataDir = flag('--data-dir');
const config = await loadConfig({ configPath, overrides: dataDir ? { dataDir } : {} });
const hearth = await createHearth({ config, importPlugin: (s) => import(s) });
const surface = await startDiscord(hearth);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await surface.stop();
  await hearth.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
