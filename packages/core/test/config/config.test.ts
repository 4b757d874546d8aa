import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, loadConfig, Redactor } from '@hearth/core';
import { describe, expect, it } from 'vitest';

const dir = () => mkdtempSync(join(tmpdir(), 'hearth-config-'));

async function configError(options: Parameters<typeof loadConfig>[0]): Promise<ConfigError> {
  const err = await loadConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return err;
}

describe('config errors name the key and the fix', () => {
  it('names a bad value with its key and file', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'hearth.config.json'), JSON.stringify({ plugins: { timeoutMs: -5 } }));
    const err = await configError({ cwd, env: {} });
    expect(err.message).toMatch(/^Config key "plugins\.timeoutMs" in .*hearth\.config\.json: /);
    expect(err.message).toMatch(/>0|greater than 0|positive/i);
  });

  it('names an unknown key and lists the known ones', async () => {
    const err = await configError({ cwd: dir(), env: {}, overrides: { plugin: {} } as never });
    expect(err.message).toContain('remove "plugin" (known keys: dataDir, logLevel, models, plugins');
  });

  it('names the environment variable that set a bad value', async () => {
    const err = await configError({ cwd: dir(), env: { HEARTH_LOG_LEVEL: 'loud' } });
    expect(err.message).toMatch(/^Config key "logLevel" \(or env HEARTH_LOG_LEVEL\): /);
  });

  it('says how to fix a file that does not parse', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'hearth.config.json'), '{ "dataDir": ');
    const err = await configError({ cwd, env: {} });
    expect(err.message).toMatch(/^Cannot read .*hearth\.config\.json: .*Fix the file's syntax/);
  });

  it('reads .env without letting it override the real environment', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'HEARTH_LOG_LEVEL=debug\nHF_TOKEN=hf_fromdotenv\n');
    const config = await loadConfig({ cwd, env: { HEARTH_LOG_LEVEL: 'warn' } });
    expect(config.logLevel).toBe('warn');
    expect(config.secrets.hfToken).toBe('hf_fromdotenv');
  });
});

describe('secrets are redacted (canary)', () => {
  const canary = 'canary-9f3b1c7e5d';

  it('never writes a configured secret to a log line, in the message or in fields', async () => {
    const config = await loadConfig({ cwd: dir(), env: { DISCORD_TOKEN: canary } });
    expect(config.secrets.discordToken).toBe(canary);
    const redactor = new Redactor();
    redactor.add(...Object.values(config.secrets));
    const lines: string[] = [];
    const log = createLogger({
      level: 'debug',
      redactor,
      destination: { write: (l: string) => void lines.push(l) } as never,
    });
    log.info({ header: `Bot ${canary}`, nested: { token: canary } }, `connecting with ${canary}`);
    log.error(new Error(`login failed for ${canary}`), 'discord error');
    const text = lines.join('');
    expect(lines).toHaveLength(2);
    expect(text).not.toContain(canary);
    expect(text).toContain('[redacted]');
  });

  it('redacts token-shaped values even when they were never configured', () => {
    const r = new Redactor();
    const text = r.redact(
      'Authorization: Bearer abcdefghijklmnop12345 and hf_abcdefghijklmnopqrstuvwx and sk-abcdefghijklmnopqrstuvwx',
    );
    expect(text).toBe('Authorization: Bearer [redacted] and [redacted] and [redacted]');
  });

  it('keeps a secret out of config error messages', async () => {
    const err = await configError({ cwd: dir(), env: { HEARTH_LOG_LEVEL: canary } });
    const redactor = new Redactor();
    redactor.add(canary);
    // the raw message may quote the bad value; what a user sees goes through the redactor
    expect(redactor.redact(err.message)).not.toContain(canary);
  });
});
