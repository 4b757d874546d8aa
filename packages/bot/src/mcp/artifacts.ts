import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Caller } from '@hearth/sdk';
import { type ArtifactOwner, canReadArtifact } from './owner.js';

export type { ArtifactOwner } from './owner.js';

/** A generated image or file kept for `resources/read`. */
export interface Artifact {
  /** File name under the artifacts folder: `<time>-<random>-<name>`. */
  file: string;
  uri: string;
  /** The name the tool gave it. */
  name: string;
  mimeType: string;
  size: number;
  /** Who made it; only they may list and read it. */
  owner?: ArtifactOwner;
}

/** URI prefix of artifacts. */
export const ARTIFACT_PREFIX = 'hearth://artifacts/';

/** Sub-folder holding each artifact's owner (`<file>.json`); not itself an artifact. */
const META = '.meta';

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
 * The stored form of a tool's file name: safe characters only, at most 80 of them, starting with a
 * letter or digit. Cutting happens before stripping, so the cut can never leave a leading `_` or `.`
 * (such names failed {@link validFile} and were never pruned nor readable).
 */
export function safeName(name: string, mimeType: string): string {
  let safe =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(-80)
      .replace(/^[^A-Za-z0-9]+/, '') || 'file';
  if (!extname(safe) && mimeType === 'image/png') safe += '.png';
  return safe;
}

/**
 * Recent generated images and files under `<dataDir>/artifacts`, the newest `keep` of them, served
 * as `hearth://artifacts/<file>` resources to the principal (and guild) that made each one. One per
 * process, shared by every session.
 */
export class ArtifactStore {
  private readonly listeners = new Set<() => void>();
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  /** Saves bytes under a unique file name, records its owner and prunes the oldest beyond `keep`. */
  async save(name: string, data: Uint8Array, mimeType: string, owner?: ArtifactOwner): Promise<Artifact> {
    if (!this.ready) this.ready = mkdir(join(this.dir, META), { recursive: true }).then(() => undefined);
    await this.ready;
    const safe = safeName(name, mimeType);
    const file = `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}-${safe}`;
    if (owner) await writeFile(join(this.dir, META, `${file}.json`), JSON.stringify({ owner }));
    await writeFile(join(this.dir, file), data);
    await this.prune();
    for (const l of this.listeners) l();
    return { file, uri: ARTIFACT_PREFIX + encodeURIComponent(file), name: safe, mimeType, size: data.length, owner };
  }

  /** Newest first; with `viewer`, only the artifacts it may read. */
  async list(viewer?: Caller): Promise<Artifact[]> {
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
      if (!s?.isFile()) continue;
      const owner = await this.ownerOf(file);
      if (viewer && !canReadArtifact(owner, viewer)) continue;
      out.push({
        file,
        uri: ARTIFACT_PREFIX + encodeURIComponent(file),
        name: file.slice(19),
        mimeType: mimeOf(file),
        size: s.size,
        owner,
      });
    }
    return out;
  }

  /**
   * An artifact's bytes by file name; undefined when unknown or (with `viewer`) not the viewer's.
   * Never reads outside the folder.
   */
  async read(file: string, viewer?: Caller): Promise<{ data: Buffer; mimeType: string } | undefined> {
    if (!validFile(file)) return undefined;
    if (viewer && !canReadArtifact(await this.ownerOf(file), viewer)) return undefined;
    const data = await readFile(join(this.dir, file)).catch(() => undefined);
    return data ? { data, mimeType: mimeOf(file) } : undefined;
  }

  /** Called after each save; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async ownerOf(file: string): Promise<ArtifactOwner | undefined> {
    const raw = await readFile(join(this.dir, META, `${file}.json`), 'utf8').catch(() => undefined);
    if (!raw) return undefined;
    try {
      const owner = (JSON.parse(raw) as { owner?: ArtifactOwner }).owner;
      return typeof owner?.principal === 'string' ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  private async prune(): Promise<void> {
    const files = (await readdir(this.dir)).filter(validFile).sort();
    for (const file of files.slice(0, Math.max(0, files.length - this.keep))) {
      await rm(join(this.dir, file), { force: true });
      await rm(join(this.dir, META, `${file}.json`), { force: true });
    }
  }
}

/**
 * Our own file names: `<time>-<random>-<name>`. The name part may start with `_` or `.` so that files
 * saved by older versions (which could cut a name to a leading `_`) are still read and pruned; `..`
 * and path separators never pass.
 */
function validFile(file: string): boolean {
  return /^[0-9a-z]{9}-[0-9a-f]{8}-[A-Za-z0-9._-]+$/.test(file) && !file.includes('..');
}
