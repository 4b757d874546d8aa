/**
 * Runs the real `hearth discord` CLI (from source) against the emulator, as separate processes,
 * and finds its shard processes (for kill -9) and their ops endpoints.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HearthProcess, spawnHearth } from '../scale/lib/hearth.js';
import type { Emulator } from './emulator/server.js';

/** Writes `hearth.config.json` into `dir`: no first-party plugins, no docs ingest, quiet logs. */
export function writeBotConfig(dir: string, extra: { discord?: Record<string, unknown>; models?: unknown } = {}): void {
  writeFileSync(
    join(dir, 'hearth.config.json'),
    JSON.stringify({
      ...(extra.models ? { models: extra.models } : {}),
      plugins: { firstParty: false },
      knowledge: { ingestDocsOnStart: false },
      logLevel: 'warn',
      discord: { shardSpawnDelayMs: 0, ...extra.discord },
    }),
  );
}

/** `hearth discord <args>` in `dir` against `emu` (DISCORD_TOKEN and DISCORD_API_URL set), plus `env`. */
export function runDiscord(
  emu: Emulator,
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  name?: string,
): HearthProcess {
  return spawnHearth(['discord', ...args], {
    cwd: dir,
    env: { DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.apiUrl, ...env },
    name,
  });
}

/** The shard processes a `hearth discord --shards …` process runs: shard id -> pid (children with SHARDS set). */
export function shardPids(parentPid: number): Map<number, number> {
  const found = new Map<number, number>();
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parentPid)], { encoding: 'utf8' });
  } catch {
    return found; // no children
  }
  for (const pid of out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter(Boolean)) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const shard = env.find((e) => e.startsWith('SHARDS='));
      if (shard) found.set(Number(shard.slice(7)), pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** The value of one Prometheus sample (`name{labels}`) in an exposition, 0 when absent. */
export function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Scrapes `/metrics` of an ops endpoint. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`${url}/metrics answered ${res.status}`);
  return res.text();
}
