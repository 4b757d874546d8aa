import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** A generated image or file kept for `resources/read`. */
export interface Artifact {
  /** File name under the artifacts folder: `<time>-<random>-<name>`. */
  file: string;
  uri: string;
  /** The name the tool gave it. */
  name: string;
  mimeType: string;
  size: number;
}

/** URI prefix of artifacts. */
export const ARTIFACT_PREFIX = 'hearth://artifacts/';

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.pdf': 'application/pdf',
  '.wav': 'audio/wav',
};

/** MIME type by extension (what survives a restart, since only the file is kept). */
export function mimeOf(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True for MIME types served as text rather than base64. */
export function isTextMime(mimeType: string): boolean {
  return mimeType.startsWith('text/') || mimeType === 'application/json';
}

/**
 * Recent generated images and files under `<dataDir>/artifacts`, the newest `keep` of them, served
 * as `hearth://artifacts/<file>` resources. One per process, shared by every session.
 */
export class ArtifactStore {
  private readonly listeners = new Set<() => void>();
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  /** Saves bytes under a unique file name and prunes the oldest beyond `keep`. */
  async save(name: string, data: Uint8Array, mimeType: string): Promise<Artifact> {
    if (!this.ready) this.ready = mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    let safe =
      name
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^[._]+/, '')
        .slice(-80) || 'file';
    if (!extname(safe) && mimeType === 'image/png') safe += '.png';
    const file = `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}-${safe}`;
    await writeFile(join(this.dir, file), data);
    await this.prune();
    for (const l of this.listeners) l();
    return { file, uri: ARTIFACT_PREFIX + encodeURIComponent(file), name: safe, mimeType, size: data.length };
  }

  /** Newest first. */
  async list(): Promise<Artifact[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch {
      return [];
    }
    files = files.filter(validFile).sort().reverse();
    const out: Artifact[] = [];
    for (const file of files) {
      const s = await stat(join(this.dir, file)).catch(() => undefined);
      if (s?.isFile())
        out.push({
          file,
          uri: ARTIFACT_PREFIX + encodeURIComponent(file),
          name: file.slice(19),
          mimeType: mimeOf(file),
          size: s.size,
        });
    }
    return out;
  }

  /** An artifact's bytes by file name; undefined when unknown (never reads outside the folder). */
  async read(file: string): Promise<{ data: Buffer; mimeType: string } | undefined> {
    if (!validFile(file)) return undefined;
    const data = await readFile(join(this.dir, file)).catch(() => undefined);
    return data ? { data, mimeType: mimeOf(file) } : undefined;
  }

  /** Called after each save; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async prune(): Promise<void> {
    const files = (await readdir(this.dir)).filter(validFile).sort();
    for (const file of files.slice(0, Math.max(0, files.length - this.keep)))
      await rm(join(this.dir, file), { force: true });
  }
}

function validFile(file: string): boolean {
  return /^[0-9a-z]{9}-[0-9a-f]{8}-[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file) && !file.includes('..');
}
