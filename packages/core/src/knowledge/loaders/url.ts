import { SkipError } from './types.js';

export interface FetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Downloads a URL with a timeout and a size cap; errors become `SkipError`s. */
export async function fetchUrl(
  url: string,
  options: FetchOptions = {},
): Promise<{ bytes: Uint8Array; mimeType: string; name: string }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: { 'user-agent': 'hearth-knowledge/0.1' } });
  } catch (error) {
    options.signal?.throwIfAborted();
    throw new SkipError('fetch error', timeout.aborted ? `timed out after ${timeoutMs} ms` : (error as Error).message);
  }
  if (!response.ok) throw new SkipError('fetch error', `HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new SkipError('too large', `${declared} bytes > ${maxBytes}`);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw new SkipError('too large', `more than ${maxBytes} bytes`);
      }
      parts.push(value);
    }
  } catch (error) {
    if (error instanceof SkipError) throw error;
    options.signal?.throwIfAborted();
    throw new SkipError('fetch error', timeout.aborted ? `timed out after ${timeoutMs} ms` : (error as Error).message);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  const path = new URL(response.url || url).pathname;
  return {
    bytes,
    mimeType: response.headers.get('content-type') ?? '',
    name: path.split('/').pop() || new URL(url).hostname,
  };
}
