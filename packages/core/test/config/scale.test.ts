import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, loadConfig, Redactor } from '@hearth/core';
import { describe, expect, it } from 'vitest';

const dir = () => mkdtempSync(join(tmpdir(), 'hearth-config-scale-'));

async function configError(options: Parameters<typeof loadConfig>[0]): Promise<ConfigError> {
  const err = await loadConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return err;
}

describe('shared database, queue and ops settings', () => {
  it('defaults to one process: no database URL, no Redis, no ops endpoint, the default queued tools', async () => {
    const config = await loadConfig({ cwd: dir(), env: {} });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.ops.listen).toBeUndefined();
    expect(config.jobs.queued).toEqual(['diffusion_imagine', 'gan_augment', 'add_knowledge']);
  });

  it('reads HEARTH_DATABASE_URL, HEARTH_REDIS_URL and HEARTH_OPS_LISTEN', async () => {
    const config = await loadConfig({
      cwd: dir(),
      env: {
        HEARTH_DATABASE_URL: 'postgres://hearth:pw-db-123@db:5432/hearth',
        HEARTH_REDIS_URL: 'redis://:pw-redis-456@redis:6379/0',
        HEARTH_OPS_LISTEN: '0.0.0.0:9464',
      },
    });
    expect(config.databaseUrl).toBe('postgres://hearth:pw-db-123@db:5432/hearth');
    expect(config.redisUrl).toBe('redis://:pw-redis-456@redis:6379/0');
    expect(config.ops.listen).toBe('0.0.0.0:9464');
  });

  it('takes jobs.queued and ops.listen from the config file', async () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({ jobs: { queued: ['diffusion_imagine'] }, ops: { listen: '[::1]:9100' } }),
    );
    const config = await loadConfig({ cwd, env: {} });
    expect(config.jobs.queued).toEqual(['diffusion_imagine']);
    expect(config.ops.listen).toBe('[::1]:9100');
  });

  it('names the key, the variable and the valid form of a bad value, without repeating a password', async () => {
    const db = await configError({ cwd: dir(), env: { HEARTH_DATABASE_URL: 'mysql://u:pw-leak-789@h/db' } });
    expect(db.message).toMatch(/^Config key "databaseUrl" \(or env HEARTH_DATABASE_URL\): must be a postgres:\/\//);
    expect(db.message).not.toContain('pw-leak-789');
    const redis = await configError({ cwd: dir(), env: { HEARTH_REDIS_URL: 'http://:pw-leak-789@h:6379' } });
    expect(redis.message).toMatch(
      /^Config key "redisUrl" \(or env HEARTH_REDIS_URL\): must be a redis:\/\/ or rediss:\/\//,
    );
    expect(redis.message).not.toContain('pw-leak-789');
    const ops = await configError({ cwd: dir(), env: { HEARTH_OPS_LISTEN: 'localhost:99999' } });
    expect(ops.message).toMatch(/^Config key "ops\.listen" \(or env HEARTH_OPS_LISTEN\): must be HOST:PORT/);
    const jobs = await configError({ cwd: dir(), env: {}, overrides: { jobs: { queued: ['bad name!'] } } });
    expect(jobs.message).toMatch(/^Config key "jobs\.queued\.0": must be a tool registry name/);
  });

  it('treats both URLs as secrets: their passwords never reach a log line, from env or config file', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'hearth.config.json'), JSON.stringify({ redisUrl: 'rediss://u:file-redis-pw%40x@r:6380' }));
    const config = await loadConfig({ cwd, env: { HEARTH_DATABASE_URL: 'postgres://h:env-db-pw1@db/hearth' } });
    const redactor = new Redactor();
    redactor.addSecrets(config.secrets);
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      redactor,
      destination: { write: (l: string) => void lines.push(l) } as never,
    });
    log.info({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl }, 'config file-redis-pw@x');
    const text = lines.join('');
    expect(text).toContain('[redacted]');
    for (const pw of ['env-db-pw1', 'file-redis-pw%40x', 'file-redis-pw@x']) expect(text).not.toContain(pw);
  });
});
