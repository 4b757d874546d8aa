import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

/**
 * The one place that decides which values are secrets. Every redactor (the runtime's, the CLI's
 * crash handler's, an external MCP server's stderr) is filled from here, so a token set in `.env`
 * is as hidden as one set in the environment.
 */

/** Environment variables Hearth itself reads as credentials, and their `config.secrets` key. */
export const SECRET_ENV = {
  HF_TOKEN: 'hfToken',
  OPENAI_API_KEY: 'openaiApiKey',
  DISCORD_TOKEN: 'discordToken',
  HEARTH_MCP_TOKEN: 'mcpToken',
} as const;

/** Credentials from the environment. `named` holds every other secret variable by name. */
export interface Secrets {
  hfToken?: string;
  openaiApiKey?: string;
  discordToken?: string;
  mcpToken?: string;
  /**
   * Other secret variables (name -> value): those the config names (`mcp.principals[].tokenEnv`,
   * `mcp.servers[].tokenEnv` and `envFrom` sources) and any whose name looks like a credential;
   * plus the password of any URL-valued variable, as `<NAME> (password)`.
   */
  named?: Record<string, string>;
}

/** Variable names that look like they hold a credential (`GITHUB_TOKEN`, `DB_PASSWORD`, `X_API_KEY`...). */
const CREDENTIAL_NAME = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)(_|$)/i;

/** True for a variable Hearth reads as a credential or whose name looks like one. */
export function isSecretName(name: string): boolean {
  return name in SECRET_ENV || CREDENTIAL_NAME.test(name);
}

/** The environment Hearth reads: `.env` in `cwd`, which never overrides the real environment. */
export function readEnvironment(cwd: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = resolve(cwd, '.env');
  const dotenv = existsSync(path) ? parseDotenv(readFileSync(path)) : {};
  return { ...dotenv, ...env };
}

/** The parts of a config that name secret variables. */
interface SecretRefs {
  /** Connection URLs (usually from HEARTH_DATABASE_URL / HEARTH_REDIS_URL, possibly from the config file). */
  databaseUrl?: string;
  redisUrl?: string;
  /** LanceDB storage options: credential-like keys (secret_access_key, sas token...) are secrets. */
  knowledge?: { storageOptions?: Record<string, string> };
  mcp?: {
    principals?: { tokenEnv?: string }[];
    servers?: { tokenEnv?: string; envFrom?: Record<string, string> }[];
  };
}

/** Names of the variables a config says hold secrets (external servers' `envFrom` values count: they carry tokens). */
export function secretNamesIn(config: SecretRefs): string[] {
  const names: string[] = [];
  for (const p of config.mcp?.principals ?? []) if (p.tokenEnv) names.push(p.tokenEnv);
  for (const s of config.mcp?.servers ?? []) {
    if (s.tokenEnv) names.push(s.tokenEnv);
    names.push(...Object.values(s.envFrom ?? {}));
  }
  return names;
}

/** Collects every secret of `env` (with `.env` already merged in): Hearth's own, the config's, credential-shaped ones. */
export function collectSecrets(env: NodeJS.ProcessEnv, config: SecretRefs = {}): Secrets {
  const named: Record<string, string> = {};
  // Hearth's own variables are named too when the config passes them on (envFrom), so whoever
  // starts an external server finds every value it needs in `named`, `.env` included
  const referenced = secretNamesIn(config);
  const wanted = new Set([...referenced, ...Object.keys(env).filter((n) => isSecretName(n) && !(n in SECRET_ENV))]);
  for (const name of wanted) {
    const value = env[name];
    if (value) named[name] = value;
  }
  // a password inside any URL (HEARTH_DATABASE_URL=postgres://user:pw@host/db, a proxy URL...)
  for (const [name, value] of Object.entries(env)) {
    const password = value ? urlPassword(value) : undefined;
    if (!password || named[name]) continue;
    named[`${name} (password)`] = password.raw;
    if (password.decoded !== password.raw) named[`${name} (password, decoded)`] = password.decoded;
  }
  // the same URLs written in the config file instead of the environment are just as secret
  for (const key of ['databaseUrl', 'redisUrl'] as const) {
    const password = config[key] ? urlPassword(config[key]) : undefined;
    if (!password) continue;
    named[`${key} (password)`] = password.raw;
    if (password.decoded !== password.raw) named[`${key} (password, decoded)`] = password.decoded;
  }
  for (const [key, value] of Object.entries(config.knowledge?.storageOptions ?? {})) {
    if (value && /key|secret|token|password|sas|credential/i.test(key))
      named[`knowledge.storageOptions.${key}`] = value;
  }
  return {
    hfToken: env.HF_TOKEN || undefined,
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    discordToken: env.DISCORD_TOKEN || undefined,
    mcpToken: env.HEARTH_MCP_TOKEN || undefined,
    named,
  };
}

/** Every secret value, for a redactor. */
export function secretValues(secrets: Secrets): string[] {
  const { named, ...own } = secrets;
  return [...Object.values(own), ...Object.values(named ?? {})].filter((v): v is string => typeof v === 'string');
}

/** The password of a `scheme://user:password@host` value, as written and decoded; undefined when there is none. */
function urlPassword(value: string): { raw: string; decoded: string } | undefined {
  const m = /^[a-z][\w+.-]*:\/\/[^/?#@:\s]*:([^/?#@\s]+)@/i.exec(value.trim());
  if (!m) return undefined;
  const raw = m[1] as string;
  try {
    return { raw, decoded: decodeURIComponent(raw) };
  } catch {
    return { raw, decoded: raw };
  }
}
