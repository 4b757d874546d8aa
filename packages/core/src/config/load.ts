import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HearthError } from '@hearth/sdk';
import type { z } from 'zod';
import { type ConfigInput, configSchema, type HearthConfig } from './schema.js';
import { collectSecrets, readEnvironment } from './secrets.js';

/** A config problem: the message names the key and the fix. */
export class ConfigError extends HearthError {
  constructor(message: string) {
    super('invalid_config', message);
  }
}

/** Environment variables Hearth reads, and the config key each one sets. */
export const ENV_KEYS = {
  HEARTH_DATA_DIR: 'dataDir',
  HEARTH_LOG_LEVEL: 'logLevel',
  HEARTH_LOG_FILE: 'logFile',
  HEARTH_CHAT_MODEL: 'models.chat',
  HEARTH_EMBED_MODEL: 'models.embed',
  HEARTH_IMAGE_MODEL: 'models.image',
  DISCORD_API_URL: 'discord.apiUrl',
  DISCORD_DEV_GUILD_ID: 'discord.devGuildId',
  HEARTH_DATABASE_URL: 'databaseUrl',
  HEARTH_REDIS_URL: 'redisUrl',
  HEARTH_OPS_LISTEN: 'ops.listen',
} as const;

/** Where to load config from. */
export interface LoadConfigOptions {
  /** Folder holding hearth.config.(json|ts) and .env; default process.cwd(). */
  cwd?: string;
  /** Explicit config file. */
  configPath?: string;
  /** Environment; default process.env (plus .env, which never overrides it). */
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: ConfigInput;
}

/**
 * Loads `hearth.config.json` or `hearth.config.ts`, then environment variables (and `.env`), then
 * overrides; validates with zod. Relative paths resolve against `cwd`.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<HearthConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = readEnvironment(cwd, options.env ?? process.env);
  const file = await readConfigFile(cwd, options.configPath);
  const merged: Record<string, unknown> = deepMerge(file.value, envValues(env));
  const parsed = configSchema.safeParse(deepMerge(merged, (options.overrides ?? {}) as Record<string, unknown>));
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, file.path));
  const config = parsed.data;
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
  config.logFile = config.logFile ? resolve(cwd, config.logFile) : defaultLogFile(config.dataDir);
  return { ...config, secrets: collectSecrets(env, config) };
}

/** Where logs go unless `logFile` says otherwise. */
export function defaultLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'hearth.log');
}

async function readConfigFile(
  cwd: string,
  explicit?: string,
): Promise<{ path?: string; value: Record<string, unknown> }> {
  const candidates = explicit
    ? [resolve(cwd, explicit)]
    : ['hearth.config.json', 'hearth.config.ts'].map((f) => resolve(cwd, f));
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    if (explicit)
      throw new ConfigError(`Config file ${explicit} does not exist; pass an existing file or drop --config.`);
    return { value: {} };
  }
  try {
    if (path.endsWith('.json')) return { path, value: JSON.parse(readFileSync(path, 'utf8')) };
    const mod = await import(pathToFileURL(path).href);
    return { path, value: (mod.default ?? mod.config) as Record<string, unknown> };
  } catch (err) {
    throw new ConfigError(
      `Cannot read ${path}: ${(err as Error).message}. Fix the file's syntax (JSON or a module exporting default).`,
    );
  }
}

function envValues(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return out;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function formatIssues(issues: z.core.$ZodIssue[], file?: string): string {
  const where = file ? ` in ${file}` : '';
  return issues
    .slice(0, 5)
    .map((i) => {
      const key = i.path.join('.') || '(root)';
      const envName = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
      const fix =
        i.code === 'unrecognized_keys'
          ? `remove ${i.keys.map((k) => `"${k}"`).join(', ')} (known keys: ${Object.keys(configSchema.shape).join(', ')})`
          : i.message;
      return `Config key "${key}"${where}${envName ? ` (or env ${envName})` : ''}: ${fix}`;
    })
    .join('\n');
}
