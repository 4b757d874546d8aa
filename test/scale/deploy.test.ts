import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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

/** Flags each `hearth` command accepts, read from the command files so the compose file cannot drift. */
function flagsOf(command: string): string[] {
  const src = readFileSync(join(ROOT, 'packages/bot/src/cli/commands', `${command}.ts`), 'utf8');
  return [...src.matchAll(/\.option\(\s*'(?:-\w, )?(--[\w-]+)/g)].map((m) => m[1]!);
}

describe('deploy/compose.yaml', () => {
  it('has the data services and one service per Hearth process kind', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['discord', 'mcp', 'postgres', 'redis', 'worker']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['hearth-data', 'pg-data', 'redis-data']);
  });

  it('gives every Hearth process the shared database, queue and data folder', () => {
    for (const name of ['discord', 'mcp', 'worker']) {
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

  it('runs real hearth commands with flags those commands define, and probes /readyz', () => {
    for (const name of ['discord', 'mcp', 'worker']) {
      const [command, ...args] = compose.services[name]!.command ?? [];
      expect(command).toBe(name);
      const known = flagsOf(command!);
      for (const flag of args.filter((a) => a.startsWith('--'))) {
        // --ops is the one flag the discord and mcp commands still need (see docs/deploy.md)
        if (flag === '--ops' && command !== 'worker') continue;
        expect(known, `${name}: ${flag}`).toContain(flag);
      }
      expect(compose.services[name]!.healthcheck?.test.join(' ')).toContain('/readyz');
    }
    expect(compose.services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    // the stop grace outlasts the worker's --grace so jobs can finish before a SIGKILL
    const grace = Number(compose.services.worker!.command?.[compose.services.worker!.command.indexOf('--grace') + 1]);
    expect(Number.parseInt(compose.services.worker!.stop_grace_period ?? '0', 10)).toBeGreaterThan(grace);
  });
});

describe('deploy/systemd', () => {
  const units = readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'));

  it('has a unit per process kind, each reading the shared env file and stopping with SIGTERM', () => {
    expect(units.sort()).toEqual(['hearth-discord.service', 'hearth-mcp.service', 'hearth-worker@.service']);
    for (const unit of units) {
      const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
      expect(text, unit).toMatch(/^EnvironmentFile=\/etc\/hearth\/hearth\.env$/m);
      expect(text, unit).toMatch(/^KillSignal=SIGTERM$/m);
      expect(text, unit).toMatch(
        /^ExecStart=\/usr\/bin\/node --conditions=hearth-source --import tsx packages\/bot\/src\/cli\/main\.ts (discord|mcp|worker) /m,
      );
      expect(text, unit).toMatch(/^\[Install\]\nWantedBy=multi-user\.target$/m);
    }
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
    const storage = readFileSync(join(ROOT, 'packages/core/src/storage/index.ts'), 'utf8');
    const queue = readFileSync(join(ROOT, 'packages/core/src/queue/index.ts'), 'utf8');
    expect(storage).toContain('process.env.HEARTH_DATABASE_URL');
    expect(queue).toContain('process.env.HEARTH_REDIS_URL');
  });
});
