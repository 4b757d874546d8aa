const REDACTED = '[redacted]';

/**
 * Replaces every known secret value, and anything shaped like a bearer token or an HF/OpenAI/
 * Discord key, with `[redacted]`. Applied to log lines and to every error text a caller sees.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers secret values (ignores empty and very short ones, which would redact ordinary text). */
  add(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= 6) this.secrets.add(v);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out
      .replace(/\b(Bearer|Bot)\s+[A-Za-z0-9._~+/=-]{12,}/g, `$1 ${REDACTED}`)
      .replace(/\bhf_[A-Za-z0-9]{20,}\b/g, REDACTED)
      .replace(/\bsk-[A-Za-z0-9_-]{20,}\b/g, REDACTED);
  }
}
