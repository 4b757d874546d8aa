import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { collectFiles, fetchUrl, type LoadedSource, loadBytes, SkipError, type SkipReason } from './loaders/index.js';

/** Limits applied while reading inputs. */
export interface InputLimits {
  maxBytes: number;
  urlTimeoutMs: number;
  /** Let URL ingest reach loopback, private, link-local and metadata addresses (default off). */
  allowPrivateUrls?: boolean;
  /** Hosts (`name` or `name:port`) URL ingest may reach even when they resolve to private addresses. */
  allowedUrlHosts?: readonly string[];
}

export const DEFAULT_LIMITS: InputLimits = {
  maxBytes: 50 * 1024 * 1024,
  urlTimeoutMs: 15_000,
  allowPrivateUrls: false,
};

export type LoadResult =
  | { ok: true; uri: string; source: LoadedSource; contentHash: string }
  | { ok: false; uri: string; reason: SkipReason; detail: string };

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** Expands folders into files; URLs stay as they are. Unreadable paths come back as skips. */
export async function expandInputs(inputs: string[]): Promise<{ items: string[]; missing: LoadResult[] }> {
  const items: string[] = [];
  const missing: LoadResult[] = [];
  for (const input of inputs) {
    if (isUrl(input)) items.push(input);
    else {
      try {
        items.push(...(await collectFiles(resolve(input))));
      } catch (error) {
        missing.push({
          ok: false,
          uri: input,
          reason: 'fetch error',
          detail:
            (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message,
        });
      }
    }
  }
  return { items: [...new Set(items)], missing };
}

/** SHA-256 of bytes, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads and parses one file or URL; never throws except on abort. */
export async function loadInput(uri: string, limits: InputLimits, signal?: AbortSignal): Promise<LoadResult> {
  try {
    let bytes: Uint8Array;
    let mimeType: string | undefined;
    let name = uri;
    if (isUrl(uri)) {
      const fetched = await fetchUrl(uri, {
        timeoutMs: limits.urlTimeoutMs,
        maxBytes: limits.maxBytes,
        signal,
        allowPrivate: limits.allowPrivateUrls,
        allowedHosts: limits.allowedUrlHosts,
      });
      bytes = fetched.bytes;
      mimeType = fetched.mimeType;
      name = fetched.name;
    } else {
      const info = await stat(uri);
      if (info.size > limits.maxBytes) throw new SkipError('too large', `${info.size} bytes > ${limits.maxBytes}`);
      bytes = await readFile(uri);
    }
    const source = await loadBytes(bytes, name, mimeType);
    return { ok: true, uri, source, contentHash: sha256(bytes) };
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof SkipError) return { ok: false, uri, reason: error.reason, detail: error.message };
    return { ok: false, uri, reason: 'parse error', detail: (error as Error).message };
  }
}
