/** Fuzz target: the config loader (hearth.config.json + environment + .env), packages/core/src/config/load.ts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ConfigError, configSchema } from '@hearth/core';
import fc from 'fast-check';
import { loadConfig } from '../../../packages/core/src/config/load.js';
import { type FuzzOptions, fuzz, invariant, refusal } from '../lib.js';

const SECRET = 'sk-fuzz-secret-value-0123456789';
const KEYS = Object.keys(configSchema.shape);
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    'local',
    'hf:org/m',
    'openai:x@http://127.0.0.1:1/v1',
    'gguf:',
    'debug',
    -1,
    1e308,
    '',
    '../..',
    '__proto__',
  ),
  fc.string({ maxLength: 5000 }),
);
/** A config object: known sections with values of any type, unknown keys, `__proto__` keys, deep nesting. */
const configObject = fc.dictionary(
  fc.oneof(fc.constantFrom(...KEYS, '__proto__', 'constructor'), fc.string({ maxLength: 8 })),
  fc.oneof(
    anyValue,
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'chat',
          'embed',
          'image',
          'principals',
          'servers',
          'attachments',
          'grants',
          'load',
          'maxBytes',
          'http',
          '__proto__',
        ),
        fc.string({ maxLength: 6 }),
      ),
      anyValue,
      { maxKeys: 6 },
    ),
  ),
  { maxKeys: 8 },
);

/** A plausible config: real sections, mostly right values, now and then a wrong one. */
const plausible = fc.record(
  {
    logLevel: fc.constantFrom('info', 'debug', 'silent', 'loud'),
    models: fc.record(
      {
        chat: fc.constantFrom(
          'local',
          'hf:org/m',
          'openai:m@http://127.0.0.1:8080/v1',
          'openai:m',
          'gguf:/x.gguf',
          'hf:bad repo',
        ),
        timeoutMs: fc.oneof(fc.nat(), fc.constant(-5)),
      },
      { requiredKeys: [] },
    ),
    discord: fc.record(
      {
        allowDMs: fc.oneof(fc.boolean(), fc.constant('yes')),
        attachments: fc.record({ maxBytes: fc.oneof(fc.nat(), fc.constant(0)) }),
        adminRoles: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    mcp: fc.record(
      {
        principals: fc.array(
          fc.record(
            {
              name: fc.constantFrom('ops', 'bad name', 'x'),
              permissions: fc.array(fc.constantFrom('knowledge:read', 'knowledge:write', 'root'), { maxLength: 2 }),
              tokenEnv: fc.constantFrom('OPS_TOKEN', 'lower'),
            },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
    plugins: fc.record(
      {
        grants: fc.dictionary(
          fc.constantFrom('gan', 'diffusion'),
          fc.array(fc.constantFrom('network', 'storage', 'fly'), { maxLength: 2 }),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/** What one case writes: the config file text, `.env` text and the environment. */
export const configCase = fc.record({
  file: fc.oneof(
    { arbitrary: plausible.map((o) => JSON.stringify(o)), weight: 3 },
    configObject.map((o) => JSON.stringify(o)),
    // JSON.stringify drops a "__proto__" own key; write it by hand
    anyValue.map((v) => `{"__proto__": {"polluted": true}, "logLevel": ${JSON.stringify(v) ?? 'null'}}`),
    fc.string({ maxLength: 200 }),
    fc.constant(''),
  ),
  dotenv: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
  env: fc.oneof(
    { arbitrary: fc.constant({}), weight: 2 },
    {
      arbitrary: fc.dictionary(
        fc.constantFrom(
          'HEARTH_DATA_DIR',
          'HEARTH_LOG_LEVEL',
          'HEARTH_CHAT_MODEL',
          'HEARTH_EMBED_MODEL',
          'HEARTH_IMAGE_MODEL',
          'DISCORD_API_URL',
          'DISCORD_DEV_GUILD_ID',
          'HEARTH_LOG_FILE',
        ),
        fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('verbose', 'hf:', 'openai:x', 'not a url', '')),
        { maxKeys: 4 },
      ),
      weight: 1,
    },
  ),
});

let dir: string | undefined;
let n = 0;

/** One case: a valid config, or a ConfigError naming the key, never an echo of a secret. */
export async function checkConfig(c: { file: string; dotenv?: string; env: Record<string, string> }): Promise<string> {
  dir ??= mkdtempSync(join(tmpdir(), 'hearth-fuzz-config-'));
  const cwd = join(dir, String(n++ % 8));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'hearth.config.json'), c.file);
  if (c.dotenv === undefined) rmSync(join(cwd, '.env'), { force: true });
  else writeFileSync(join(cwd, '.env'), c.dotenv);
  try {
    const config = await loadConfig({ cwd, env: { ...c.env, OPENAI_API_KEY: SECRET } });
    invariant(isAbsolute(config.dataDir), `dataDir ${config.dataDir} is not absolute`);
    invariant(config.secrets.openaiApiKey === SECRET, 'the API key was lost');
    return 'ok';
  } catch (error) {
    invariant(!String((error as Error)?.message).includes(SECRET), 'a secret in the error message');
    return refusal(error, (e) => {
      if (!(e instanceof ConfigError)) return undefined;
      if (/^Config key "/.test(e.message)) return 'refused: invalid key';
      if (/^Cannot read .*hearth\.config\.json/.test(e.message)) return 'refused: unreadable file';
      return undefined;
    });
  } finally {
    invariant(({} as Record<string, unknown>).polluted === undefined, 'Object.prototype polluted');
  }
}

/** Removes the temporary folders. */
export function cleanupConfig(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** Fuzzes the config loader. */
export async function fuzzConfig(options: FuzzOptions) {
  try {
    return await fuzz('config loader', configCase, checkConfig, options);
  } finally {
    cleanupConfig();
  }
}
