import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, hostAllowed, safeLookup } from './address.js';
import { SkipError } from './types.js';

export interface FetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /**
   * Fetch loopback, private, link-local and cloud-metadata addresses too. Off by default: a URL
   * someone else typed must not reach services only the Hearth host can see.
   */
  allowPrivate?: boolean;
  /** Hosts (`name` or `name:port`) that may resolve to private addresses even when `allowPrivate` is off. */
  allowedHosts?: readonly string[];
  /** Redirects followed at most (default 5); each target is checked like the first URL. */
  maxRedirects?: number;
}

/**
 * Downloads a URL with a timeout and a size cap; errors become `SkipError`s. Every hop (the URL and
 * each redirect) is checked after DNS resolution, on the address actually connected to, so neither
 * a redirect nor a name that resolves to 127.0.0.1 / 10.x / 169.254.169.254 reaches a private service.
 */
export async function fetchUrl(
  url: string,
  options: FetchOptions = {},
): Promise<{ bytes: Uint8Array; mimeType: string; name: string }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const fail = (error: unknown): never => {
    if (error instanceof SkipError) throw error;
    options.signal?.throwIfAborted();
    throw new SkipError('fetch error', timeout.aborted ? `timed out after ${timeoutMs} ms` : (error as Error).message);
  };
  let current = url;
  for (let hop = 0; ; hop++) {
    const target = parseTarget(current);
    const privateOk = options.allowPrivate === true || hostAllowed(target, options.allowedHosts);
    let response: IncomingMessage;
    try {
      response = await request(target, signal, privateOk);
    } catch (error) {
      return fail(error);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (hop >= maxRedirects) throw new SkipError('fetch error', `more than ${maxRedirects} redirects`);
      current = new URL(location, target).href;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new SkipError('fetch error', `HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      response.destroy();
      throw new SkipError('too large', `${declared} bytes > ${maxBytes}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readCapped(response, maxBytes);
    } catch (error) {
      return fail(error);
    }
    return {
      bytes,
      mimeType: String(response.headers['content-type'] ?? ''),
      name: target.pathname.split('/').pop() || target.hostname,
    };
  }
}

/** The URL of one hop: http(s) only, with a clear error for anything else. */
function parseTarget(text: string): URL {
  let target: URL;
  try {
    target = new URL(text);
  } catch {
    throw new SkipError('fetch error', `not a valid URL: ${text.slice(0, 200)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new SkipError('fetch error', `refused ${target.protocol} URL: only http and https are fetched`);
  }
  return target;
}

/** One GET without following redirects; private addresses refused at connect time unless allowed. */
function request(target: URL, signal: AbortSignal, privateOk: boolean): Promise<IncomingMessage> {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // an IP literal is connected to without a lookup, so it is checked here
  if (!privateOk && isIP(host)) {
    const why = addressRefusal(host);
    if (why) return Promise.reject(refused(target, host, why));
  }
  const lookup: LookupFunction | undefined = privateOk
    ? undefined
    : safeLookup((address, why) => refused(target, address, why));
  const get = target.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(target, { signal, lookup, headers: { 'user-agent': 'hearth-knowledge/0.1' } }, resolve);
    req.on('error', reject);
  });
}

function refused(target: URL, address: string, why: string): SkipError {
  return new SkipError(
    'fetch error',
    `refused ${target.host}: it resolves to ${address}, a ${why} address (only the operator can allow private addresses for URL ingest)`,
  );
}

/** The body, stopping as soon as it passes `maxBytes`. */
async function readCapped(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new SkipError('too large', `more than ${maxBytes} bytes`);
    }
    parts.push(chunk);
  }
  return new Uint8Array(Buffer.concat(parts, size));
}
