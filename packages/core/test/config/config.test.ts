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
    redactor.addSecrets(config.secrets);
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

describe('model references are checked when config loads (issue 12)', () => {
  const FORMS = ['local', 'hf:<repo id>', 'openai:<model>@<base url>', 'gguf:<path'];

  it('rejects an unknown chat reference with the key, the env variable, the value and the valid forms', async () => {
    const err = await configError({ cwd: dir(), env: { HEARTH_CHAT_MODEL: 'gpt-4' } });
    expect(err.message).toMatch(/^Config key "models\.chat" \(or env HEARTH_CHAT_MODEL\): /);
    expect(err.message).toContain('"gpt-4"');
    for (const form of FORMS) expect(err.message).toContain(form);
  });

  it('rejects malformed references of every task, from the file or the environment', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'hearth.config.json'), JSON.stringify({ models: { chat: 'openai:llama3' } }));
    const chat = await configError({ cwd, env: {} });
    expect(chat.message).toMatch(
      /"models\.chat" in .*hearth\.config\.json.*: .*"openai:llama3".*openai:<model>@<base url>/,
    );
    const embed = await configError({ cwd: dir(), env: { HEARTH_EMBED_MODEL: 'text-embedding-3' } });
    expect(embed.message).toMatch(
      /"models\.embed" \(or env HEARTH_EMBED_MODEL\): "text-embedding-3" .*local:<variant>/,
    );
    const image = await configError({ cwd: dir(), env: { HEARTH_IMAGE_MODEL: 'gguf:/x.gguf' } });
    expect(image.message).toMatch(/"models\.image" \(or env HEARTH_IMAGE_MODEL\): "gguf:\/x\.gguf" .*hf:<repo id>/);
  });

  it('never shows URL credentials of a bad reference', async () => {
    const err = await configError({
      cwd: dir(),
      env: { HEARTH_CHAT_MODEL: 'openai:@https://user:pw-canary-77@host.example/v1' },
    });
    expect(err.message).toContain('models.chat');
    expect(err.message).not.toContain('pw-canary-77');
  });

  it('accepts every valid form', async () => {
    for (const [chat, embed, image] of [
      ['local', 'local', 'hf:org/img'],
      ['hf:meta-llama/Llama-3.1-8B-Instruct', 'local:words', undefined],
      ['openai:qwen2.5:7b@http://localhost:11434/v1', 'hf:BAAI/bge-small-en-v1.5', undefined],
      ['gguf:./models/tiny.gguf', 'hf:org/e@https://e.example/v1', 'hf:org/img@https://x.example/'],
    ] as const) {
      const config = await loadConfig({ cwd: dir(), env: {}, overrides: { models: { chat, embed, image } } });
      expect(config.models.chat).toBe(chat);
    }
  });
});

describe('one source of secrets (issue 14, item 7)', () => {
  it('collects the config-named variables (principals, external servers) from the environment and .env', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'SERVER_PASS=canary-dotenv-31a\nHF_TOKEN=canary-dotenv-hf1\n');
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({
        mcp: {
          principals: [{ name: 'agent', tokenEnv: 'AGENT_SECRET_VALUE' }],
          servers: [
            { name: 'files', command: 'node', envFrom: { API: 'SERVER_PASS' } },
            { name: 'web', url: 'https://mcp.example/mcp', tokenEnv: 'WEB_BEARER' },
          ],
        },
      }),
    );
    const config = await loadConfig({
      cwd,
      env: {
        WEB_BEARER: 'canary-env-web',
        AGENT_SECRET_VALUE: 'canary-env-agent',
        GITHUB_TOKEN: 'canary-env-gh',
        HOME_DIR: '/home/x',
      },
    });
    expect(config.secrets.hfToken).toBe('canary-dotenv-hf1');
    expect(config.secrets.named).toEqual({
      SERVER_PASS: 'canary-dotenv-31a',
      WEB_BEARER: 'canary-env-web',
      AGENT_SECRET_VALUE: 'canary-env-agent',
      GITHUB_TOKEN: 'canary-env-gh',
    });
    const redactor = new Redactor();
    redactor.addSecrets(config.secrets);
    const text = redactor.redact(
      'canary-dotenv-31a canary-dotenv-hf1 canary-env-web canary-env-agent canary-env-gh /home/x',
    );
    expect(text).toBe('[redacted] [redacted] [redacted] [redacted] [redacted] /home/x');
  });

  it('registers the password of any URL in the environment (HEARTH_DATABASE_URL and the like)', () => {
    const redactor = new Redactor();
    redactor.addEnvironment({
      cwd: dir(),
      env: {
        HEARTH_DATABASE_URL: 'postgres://hearth:pg-canary%2Fpw9@db.example:5432/hearth',
        HOME_URL: 'https://x.example/',
      },
    });
    expect(redactor.redact('auth failed for pg-canary/pw9 and pg-canary%2Fpw9 at https://x.example/')).toBe(
      'auth failed for [redacted] and [redacted] at https://x.example/',
    );
  });

  it('knows the secrets of the environment and .env before any config has loaded', () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'OPENAI_API_KEY=canary-dotenv-oa\n');
    const redactor = new Redactor();
    redactor.addEnvironment({ cwd, env: { DISCORD_TOKEN: 'canary-env-dc', SOME_API_KEY: 'canary-env-api' } });
    expect(redactor.redact('canary-dotenv-oa canary-env-dc canary-env-api')).toBe('[redacted] [redacted] [redacted]');
  });

  it('puts the log file in the data folder unless logFile says otherwise', async () => {
    const cwd = dir();
    expect((await loadConfig({ cwd, env: {} })).logFile).toBe(join(cwd, '.hearth', 'logs', 'hearth.log'));
    expect((await loadConfig({ cwd, env: { HEARTH_LOG_FILE: 'x/h.log' } })).logFile).toBe(join(cwd, 'x', 'h.log'));
  });
});
