import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOpsListen } from '../../packages/bot/src/ops/index.js';
import { runHearth, workDir } from '../cli/hearth.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');

// a real YAML parser: `yaml`, reached through tsup (a root dev dependency) until test/ lists it
const rootRequire = createRequire(join(ROOT, 'package.json'));
const YAML = createRequire(rootRequire.resolve('tsup'))('yaml') as { parse(text: string, options?: object): unknown };

type Service = {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
};
const compose = YAML.parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** The process kinds deploy files run. */
const KINDS = ['discord', 'mcp', 'worker', 'start'] as const;

/** Long flags in commander `--help` output (the Options section's first column). */
export function helpFlags(help: string): string[] {
  const options = help.split(/^Options:$/m)[1]?.split(/^Commands:$/m)[0] ?? '';
  return [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!);
}

/** Flags each command declares, from the real CLI's `--help` (global flags included). */
const declared: Record<string, string[]> = {};
beforeAll(async () => {
  const cwd = workDir();
  const [global, ...commands] = await Promise.all(
    [[], ...KINDS.map((k) => [k])].map((args) => runHearth([...args, '--help'], { cwd, timeoutMs: 60_000 })),
  );
  for (const r of [global!, ...commands]) expect(r.code, r.stderr).toBe(0);
  const globalFlags = helpFlags(global!.stdout);
  expect(globalFlags).toContain('--config');
  KINDS.forEach((k, i) => {
    declared[k] = [...helpFlags(commands[i]!.stdout), ...globalFlags];
    expect(declared[k], k).toContain('--help');
  });
}, 120_000);

/** Checks one invocation (`discord --ops 127.0.0.1:9464 ...`): a known command, declared flags, valid --ops. */
function checkInvocation(where: string, words: string[]): void {
  const [command, ...args] = words;
  expect(KINDS as readonly string[], `${where}: command`).toContain(command);
  for (const [i, arg] of args.entries()) {
    if (!arg.startsWith('--')) continue;
    const flag = arg.split('=')[0]!;
    expect(declared[command!], `${where}: ${flag} (hearth ${command} --help)`).toContain(flag);
    if (flag === '--ops') {
      const value = (arg.includes('=') ? arg.split('=')[1] : args[i + 1])!.replace('%i', '1');
      expect(() => parseOpsListen(value), `${where}: --ops ${value}`).not.toThrow();
    }
  }
}

describe('deploy/compose.yaml', () => {
  it('has the data services and one service per Hearth process kind', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['discord', 'ingest', 'mcp', 'postgres', 'redis', 'worker']);
    // the knowledge store has one writer: one replica, one job at a time, on the ingest queue
    expect(compose.services.ingest!.deploy?.replicas).toBe(1);
    expect(compose.services.ingest!.command).toEqual(
      expect.arrayContaining(['--queues', 'ingest', '--concurrency', '1']),
    );
    expect(Object.keys(compose.volumes).sort()).toEqual(['hearth-data', 'pg-data', 'redis-data']);
  });

  it('gives every Hearth process the shared database, queue and data folder', () => {
    for (const name of ['discord', 'mcp', 'worker', 'ingest']) {
      const env = compose.services[name]!.environment ?? {};
      expect(env.HEARTH_DATABASE_URL, name).toMatch(
        /^postgres:\/\/hearth:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/hearth$/,
      );
      expect(env.HEARTH_REDIS_URL, name).toBe('redis://redis:6379');
      expect(env.HEARTH_DATA_DIR, name).toBe('/data');
      expect(compose.services[name]!.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    // each secret only where it is used
    expect(compose.services.discord!.environment?.DISCORD_TOKEN).toMatch(/^\$\{DISCORD_TOKEN:\?/);
    expect(compose.services.mcp!.environment?.HEARTH_MCP_TOKEN).toMatch(/^\$\{HEARTH_MCP_TOKEN:\?/);
    expect(compose.services.worker!.environment?.DISCORD_TOKEN).toBeUndefined();
    expect(compose.services.discord!.environment?.HEARTH_MCP_TOKEN).toBeUndefined();
  });

  it('runs real hearth commands with flags those commands declare in --help, and probes /readyz', () => {
    for (const name of ['discord', 'mcp', 'worker', 'ingest']) {
      const command = compose.services[name]!.command ?? [];
      expect(command[0]).toBe(name === 'ingest' ? 'worker' : name);
      checkInvocation(`compose ${name}`, command);
      // the healthcheck probes the port --ops serves
      const ops = command[command.indexOf('--ops') + 1];
      expect(ops, `${name} --ops`).toBeDefined();
      expect(compose.services[name]!.healthcheck?.test.join(' ')).toContain(
        `127.0.0.1:${parseOpsListen(ops!).port}/readyz`,
      );
    }
    // commands shown in comments (e.g. how to split shards) are checked too
    const commented = [...readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8').matchAll(/^\s*#\s+command: (\[.*\])$/gm)];
    expect(commented.length).toBeGreaterThanOrEqual(1);
    for (const m of commented) checkInvocation('compose.yaml comment', JSON.parse(m[1]!) as string[]);
    expect(compose.services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    // the stop grace outlasts the worker's --grace so jobs can finish before a SIGKILL
    const grace = Number(compose.services.worker!.command?.[compose.services.worker!.command.indexOf('--grace') + 1]);
    expect(Number.parseInt(compose.services.worker!.stop_grace_period ?? '0', 10)).toBeGreaterThan(grace);
  });
});

describe('deploy/systemd', () => {
  const units = readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'));

  it('has a unit per process kind, each reading the shared env file and stopping with SIGTERM', () => {
    expect(units.sort()).toEqual([
      'hearth-discord.service',
      'hearth-ingest.service',
      'hearth-mcp.service',
      'hearth-worker@.service',
    ]);
    for (const unit of units) {
      const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
      expect(text, unit).toMatch(/^EnvironmentFile=\/etc\/hearth\/hearth\.env$/m);
      expect(text, unit).toMatch(/^KillSignal=SIGTERM$/m);
      expect(text, unit).toMatch(
        /^ExecStart=\/usr\/bin\/node --conditions=hearth-source --import tsx packages\/bot\/src\/cli\/main\.ts (discord|mcp|worker) /m,
      );
      expect(text, unit).toMatch(/^\[Install\]\nWantedBy=multi-user\.target$/m);
      const exec = /^ExecStart=.*?main\.ts (.*)$/m.exec(text)![1]!;
      // the ExecStart and any example in the comments (e.g. a sharding drop-in)
      for (const m of text.matchAll(/main\.ts (.*)$/gm)) checkInvocation(unit, m[1]!.trim().split(/\s+/));
      // the stop timeout outlasts the worker's --grace
      const grace = /--grace (\d+)/.exec(exec);
      if (grace) expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(text)?.[1]), unit).toBeGreaterThan(Number(grace[1]));
    }
  });

  it('every hearth command docs/deploy.md shows uses declared flags', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const shown = [...doc.matchAll(/\bhearth ((?:discord|mcp|worker|start)\b[^`\n|#/;()&]*)/g)].map((m) =>
      m[1]!.replace(/[[\]]/g, ' ').trim().split(/\s+/),
    );
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const words of shown) checkInvocation(`docs/deploy.md: hearth ${words.join(' ')}`, words);
  });

  it('the example env file names the variables the code reads', () => {
    const env = readFileSync(join(DEPLOY, 'hearth.env.example'), 'utf8');
    for (const key of [
      'HEARTH_DATA_DIR',
      'HEARTH_DATABASE_URL',
      'HEARTH_REDIS_URL',
      'DISCORD_TOKEN',
      'HEARTH_MCP_TOKEN',
    ])
      expect(env).toMatch(new RegExp(`^${key}=`, 'm'));
    // every HEARTH_ variable the deploy files set is one the code reads
    const code = [
      readFileSync(join(ROOT, 'packages/core/src/config/load.ts'), 'utf8'),
      readFileSync(join(ROOT, 'packages/bot/src/mcp/http.ts'), 'utf8'),
      readFileSync(join(ROOT, 'packages/core/src/storage/index.ts'), 'utf8'),
      readFileSync(join(ROOT, 'packages/core/src/queue/index.ts'), 'utf8'),
    ].join('\n');
    const files = [
      env,
      readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'),
      ...units.map((u) => readFileSync(join(DEPLOY, 'systemd', u), 'utf8')),
    ].join('\n');
    const named = new Set(files.match(/\bHEARTH_[A-Z_]+/g));
    expect(named.size).toBeGreaterThanOrEqual(5);
    for (const key of named) expect(code, key).toContain(key);
  });
});
