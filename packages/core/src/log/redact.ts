import { collectSecrets, readEnvironment, type Secrets, secretValues } from '../config/secrets.js';

const REDACTED = '[redacted]';

/**
 * Replaces every known secret value, and anything shaped like a bearer token or an HF/OpenAI/
 * Discord key, with `[redacted]`. Applied to log lines and to every error text a caller sees.
 * Secret values come from one place (config/secrets.ts): {@link Redactor.addSecrets} with a
 * loaded config's `secrets`, or {@link Redactor.addEnvironment} before a config exists.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets longest first, so one containing another is replaced whole; rebuilt on add. */
  private ordered: string[] = [];

  /** Registers secret values (ignores empty and very short ones, which would redact ordinary text). */
  add(...values: (string | undefined)[]): void {
    const before = this.secrets.size;
    for (const v of values) if (v && v.length >= 6) this.secrets.add(v);
    if (this.secrets.size !== before) this.ordered = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  /** Registers every value of a config's `secrets`, including the named ones (`.env`, MCP tokens). */
  addSecrets(secrets: Secrets): void {
    this.add(...secretValues(secrets));
  }

  /**
   * Registers the secrets of the environment and of `cwd`'s `.env` (credential-shaped names and
   * Hearth's own), for output written before a config has loaded (or when it fails to).
   */
  addEnvironment(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
    let env: NodeJS.ProcessEnv;
    try {
      env = readEnvironment(options.cwd ?? process.cwd(), options.env ?? process.env);
    } catch {
      env = options.env ?? process.env; // an unreadable .env is reported by config loading
    }
    this.addSecrets(collectSecrets(env));
  }

  /** `text` with secrets replaced; a non-string (e.g. the `.message` of a thrown string) is converted, never thrown on. */
  redact(text: string): string {
    let out = typeof text === 'string' ? text : String(text);
    for (const s of this.ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out
      .replace(/\b(Bearer|Bot)\s+[A-Za-z0-9._~+/=-]{12,}/g, `$1 ${REDACTED}`)
      .replace(/\bhf_[A-Za-z0-9]{20,}\b/g, REDACTED)
      .replace(/\bsk-[A-Za-z0-9_-]{20,}\b/g, REDACTED);
  }
}

/** A connection URL with its password replaced by `***`, safe for logs and errors (Redis, PostgreSQL). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
