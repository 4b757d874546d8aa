import { HearthError } from '@hearth/sdk';
import type { Redactor } from '../log/redact.js';

/** Why a provider call failed, as a stable code. */
export type ProviderErrorCode =
  | 'bad_token'
  | 'forbidden'
  | 'unknown_model'
  | 'rate_limited'
  | 'overloaded'
  | 'timeout'
  | 'cancelled'
  | 'unreachable'
  | 'bad_request'
  | 'malformed_response'
  | 'not_configured'
  | 'provider_error';

/**
 * A model provider failed. The message names the model and the fix and never contains a secret
 * (it is built from the status and the reference, never from request headers).
 */
export class ProviderError extends HearthError {
  /** HTTP status when the server answered. */
  readonly status?: number;
  /** Whether retrying later may succeed. */
  readonly retryable: boolean;
  constructor(code: ProviderErrorCode, message: string, options: { status?: number; retryable?: boolean } = {}) {
    super(code, message);
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** What {@link mapProviderError} needs to phrase a message. */
export interface ErrorContext {
  /** Secret-free reference of the model, e.g. `openai:llama@http://127.0.0.1:8080/v1`. */
  ref: string;
  /** Which secret the provider reads, for the bad-token hint. */
  tokenName: string;
  redactor?: Redactor;
}

/** Maps anything a provider call throws to a {@link ProviderError} with a clear, secret-free message. */
export function mapProviderError(err: unknown, ctx: ErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const status = httpStatus(err);
  const detail = serverDetail(err, ctx.redactor);
  const suffix = detail ? ` (server said: ${detail})` : '';
  if (status !== undefined) {
    if (status === 401) {
      return new ProviderError(
        'bad_token',
        `${ctx.ref}: the server rejected the API token (401). Check ${ctx.tokenName}.`,
        { status },
      );
    }
    if (status === 403) {
      return new ProviderError(
        'forbidden',
        `${ctx.ref}: access denied (403). Check that ${ctx.tokenName} may use this model.`,
        { status },
      );
    }
    if (status === 404) {
      return new ProviderError(
        'unknown_model',
        `${ctx.ref}: the model or endpoint was not found (404). Check the model name and URL.${suffix}`,
        {
          status,
        },
      );
    }
    if (status === 429) {
      return new ProviderError('rate_limited', `${ctx.ref}: rate limited (429). Wait a moment and try again.`, {
        status,
        retryable: true,
      });
    }
    if (status === 503 || status === 502 || status === 504 || status === 529) {
      return new ProviderError(
        'overloaded',
        `${ctx.ref}: the model is overloaded or loading (${status}). Try again shortly.`,
        {
          status,
          retryable: true,
        },
      );
    }
    if (status >= 500) {
      return new ProviderError('provider_error', `${ctx.ref}: server error (${status}).${suffix}`, {
        status,
        retryable: true,
      });
    }
    if (status === 400 || status === 422) {
      return new ProviderError('bad_request', `${ctx.ref}: the server refused the request (${status}).${suffix}`, {
        status,
      });
    }
    return new ProviderError('provider_error', `${ctx.ref}: request failed (${status}).${suffix}`, { status });
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'SyntaxError') {
    return new ProviderError('malformed_response', `${ctx.ref}: the server sent a malformed response.`, {
      retryable: false,
    });
  }
  const code = e?.cause?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_SOCKET'
  ) {
    return new ProviderError(
      'unreachable',
      `${ctx.ref}: cannot reach the server (${code}). Check the URL and that the server runs.`,
      {
        retryable: true,
      },
    );
  }
  if (e?.name === 'TypeError' && /fetch failed|terminated/i.test(e.message ?? '')) {
    return new ProviderError('unreachable', `${ctx.ref}: the connection failed or was cut.`, { retryable: true });
  }
  const message = ctx.redactor ? ctx.redactor.redact(String(e?.message ?? err)) : '(details hidden)';
  return new ProviderError('provider_error', `${ctx.ref}: ${stripSecrets(message)}`);
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { httpResponse?: { status?: unknown } })?.httpResponse?.status;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/** The server's own error text (short, redacted); never request headers. */
function serverDetail(err: unknown, redactor?: Redactor): string | undefined {
  const body = (err as { httpResponse?: { body?: unknown } })?.httpResponse?.body;
  let text: unknown;
  if (typeof body === 'string') text = body;
  else if (body && typeof body === 'object') {
    const b = body as { error?: unknown; message?: unknown; detail?: unknown };
    const inner = b.error && typeof b.error === 'object' ? (b.error as { message?: unknown }).message : b.error;
    text = inner ?? b.message ?? b.detail;
  }
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const short = text.trim().slice(0, 200);
  return stripSecrets(redactor ? redactor.redact(short) : short);
}

/** Last line of defence: anything token-shaped goes, even when no redactor was passed. */
function stripSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1')
    .replace(/([?&](?:key|token|api_key|apikey|access_token)=)[^&\s]+/gi, '$1[redacted]')
    .replace(/\b(Bearer|Bot)\s+\S+/g, '$1 [redacted]')
    .replace(/\bhf_[A-Za-z0-9]{8,}\b/g, '[redacted]')
    .replace(/\bsk-[A-Za-z0-9_-]{8,}\b/g, '[redacted]');
}
