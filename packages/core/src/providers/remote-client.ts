import { InferenceClient } from '@huggingface/inference';
import type { Redactor } from '../log/redact.js';
import { mapProviderError, type ProviderError } from './errors.js';
import type { RetryPolicy } from './retry.js';

/** Where and how a remote model is reached. */
export interface RemoteTarget {
  /** Secret-free reference used in messages. */
  ref: string;
  /** Model name sent in the request body. */
  model: string;
  /** OpenAI-compatible base URL or HF endpoint; undefined: Hugging Face Inference Providers. */
  endpointUrl?: string;
  token?: string;
  /** Env var the token comes from, for error hints. */
  tokenName: string;
  policy: RetryPolicy;
  redactor?: Redactor;
  /** The model sees images (OpenAI-compatible `image_url` parts); set from configuration. */
  vision?: boolean;
}

/** One remote call's client plus the hooks the retry loop needs. */
export interface RemoteCall {
  client: InferenceClient;
  /** Options for every client method: our signal, no built-in 503 loop, a fetch that records Retry-After. */
  options(signal: AbortSignal): { signal: AbortSignal; retry_on_error: false; fetch: typeof fetch };
  retryAfterMs(): number | undefined;
  mapError(err: unknown): ProviderError;
}

/** Builds the InferenceClient for a target (token as the first argument, `endpointUrl` for custom servers). */
export function remoteCall(target: RemoteTarget, extraHeaders: Record<string, string> = {}): RemoteCall {
  const { url: endpointUrl, basicAuth } = splitCredentials(target.endpointUrl);
  // fetch refuses URLs with credentials: they travel as Basic auth when no token is set
  if (basicAuth && !target.token) extraHeaders = { authorization: `Basic ${basicAuth}`, ...extraHeaders };
  const client = new InferenceClient(target.token, endpointUrl ? { endpointUrl } : {});
  let retryAfter: number | undefined;
  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);
    const response = await fetch(input, { ...init, headers });
    retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    return response;
  };
  return {
    client,
    options: (signal) => ({ signal, retry_on_error: false, fetch: recordingFetch }),
    retryAfterMs: () => retryAfter,
    mapError: (err) =>
      mapProviderError(err, { ref: target.ref, tokenName: target.tokenName, redactor: target.redactor }),
  };
}

function splitCredentials(url: string | undefined): { url?: string; basicAuth?: string } {
  if (!url) return {};
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const basicAuth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString(
    'base64',
  );
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/+$/, ''), basicAuth };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
