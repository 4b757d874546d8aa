import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One adapter in the data folder. */
export interface AdapterEntry {
  name: string;
  path: string;
  bytes: number;
  /** Guild ids (or "default") using it. */
  usedBy: string[];
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/**
 * GGUF LoRA adapters in `<dataDir>/adapters/<name>.gguf` and which guild uses which
 * (`<dataDir>/adapters/assignments.json`, key "default" for guilds without their own).
 */
export class AdapterStore {
  readonly dir: string;
  /** The last read assignments and the file's mtime: the engine asks on every turn. */
  #cache: { mtimeMs: number; value: Record<string, string> } | undefined;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'adapters');
  }

  static checkName(name: string): string {
    if (!NAME.test(name)) throw new Error(`adapter name "${name}" must be 1-64 letters, digits, - or _`);
    return name;
  }

  pathOf(name: string): string {
    return join(this.dir, `${AdapterStore.checkName(name)}.gguf`);
  }

  private assignments(): Record<string, string> {
    const f = join(this.dir, 'assignments.json');
    const mtimeMs = statSync(f, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return {};
    if (this.#cache?.mtimeMs !== mtimeMs)
      this.#cache = { mtimeMs, value: JSON.parse(readFileSync(f, 'utf8')) as Record<string, string> };
    return { ...this.#cache.value };
  }

  list(): AdapterEntry[] {
    if (!existsSync(this.dir)) return [];
    const a = this.assignments();
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.gguf'))
      .sort()
      .map((f) => {
        const name = f.slice(0, -5);
        const path = join(this.dir, f);
        return { name, path, bytes: statSync(path).size, usedBy: Object.keys(a).filter((k) => a[k] === name) };
      });
  }

  /** Gives `guild` (or every guild without its own, when omitted) the adapter; `null` removes it. */
  use(name: string | null, guild = 'default'): void {
    if (name !== null && !existsSync(this.pathOf(name))) {
      const known = this.list().map((e) => e.name);
      throw new Error(`no adapter "${name}" in ${this.dir}; available: ${known.length ? known.join(', ') : 'none'}`);
    }
    const a = this.assignments();
    if (name === null) delete a[guild];
    else a[guild] = name;
    mkdirSync(this.dir, { recursive: true });
    const f = join(this.dir, 'assignments.json');
    writeFileSync(f, `${JSON.stringify(a, null, 2)}\n`);
    // a write within the same millisecond as the last read would leave the mtime unchanged
    this.#cache = { mtimeMs: statSync(f).mtimeMs, value: a };
  }

  /** The adapter name a request from `guild` should use, if any. */
  resolve(guild?: string): string | undefined {
    const a = this.assignments();
    return (guild && a[guild]) || a.default;
  }
}
