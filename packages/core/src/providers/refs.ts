import { HearthError } from '@hearth/sdk';

/** A parsed model reference. */
export type ModelRef =
  /** Hugging Face Inference Providers (`hf:<repo id>`), or a dedicated endpoint (`hf:<repo id>@<url>`). */
  | { kind: 'hf'; model: string; endpointUrl?: string }
  /** Any OpenAI-compatible server: `openai:<model>@<base url>`. */
  | { kind: 'openai'; model: string; baseUrl: string }
  /** A local GGUF file: `gguf:<path>`. */
  | { kind: 'gguf'; path: string }
  /** The embedded default model. */
  | { kind: 'local' };

/** A model reference that cannot be parsed; the message shows the accepted forms. */
export class ModelRefError extends HearthError {
  constructor(message: string) {
    super('invalid_model_ref', message);
  }
}

const FORMS = 'hf:<repo id>, openai:<model>@<base url>, gguf:<path> or local';

/** The accepted forms of a model reference, as shown in errors. */
export const MODEL_REF_FORMS =
  'local, hf:<repo id>, openai:<model>@<base url> (e.g. openai:llama3@http://127.0.0.1:8080/v1), gguf:<path to a .gguf file>';

/**
 * Parses a model reference as written in config or in HEARTH_CHAT_MODEL / HEARTH_EMBED_MODEL /
 * HEARTH_IMAGE_MODEL. Throws {@link ModelRefError} naming the accepted forms.
 */
export function parseModelRef(ref: string): ModelRef {
  const text = ref.trim();
  if (text === 'local') return { kind: 'local' };
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon) : '';
  const rest = colon > 0 ? text.slice(colon + 1).trim() : '';
  switch (scheme) {
    case 'hf': {
      const { name, url } = splitAtUrl(rest);
      if (!/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(name)) {
        throw new ModelRefError(
          `Model reference "${safeRef(text)}": "${name}" is not a Hugging Face repo id (expected hf:<org>/<model>).`,
        );
      }
      return url ? { kind: 'hf', model: name, endpointUrl: url } : { kind: 'hf', model: name };
    }
    case 'openai': {
      const { name, url } = splitAtUrl(rest);
      if (!name || !url) {
        throw new ModelRefError(
          `Model reference "${safeRef(text)}": expected openai:<model>@<base url>, e.g. openai:llama3@http://127.0.0.1:8080/v1.`,
        );
      }
      return { kind: 'openai', model: name, baseUrl: url };
    }
    case 'gguf':
      if (!rest) throw new ModelRefError(`Model reference "${safeRef(text)}": expected gguf:<path to a .gguf file>.`);
      return { kind: 'gguf', path: rest };
    default:
      throw new ModelRefError(`Unknown model reference "${safeRef(text)}": use ${FORMS}.`);
  }
}

/** Splits `<name>@<url>`; the url is the part after the last `@` that starts with http(s)://. */
function splitAtUrl(rest: string): { name: string; url?: string } {
  const at = rest.search(/@https?:\/\//);
  if (at < 0) return { name: rest };
  const url = rest.slice(at + 1);
  try {
    new URL(url);
  } catch {
    throw new ModelRefError(`"${safeUrl(url)}" is not a valid URL.`);
  }
  return { name: rest.slice(0, at), url: url.replace(/\/+$/, '') };
}

/** The reference as shown to users and logs: credentials in URLs and query strings removed. */
export function safeRef(ref: string): string {
  return ref.replace(/https?:\/\/[^\s@/]*@/g, (m) => m.replace(/\/\/[^@]*@/, '//')).replace(/https?:\/\/\S+/g, safeUrl);
}

/** A URL without user info, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//').replace(/[?#].*$/, '');
  }
}

/** Formats a parsed reference back to text, secrets removed. */
export function formatModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'hf':
      return ref.endpointUrl ? `hf:${ref.model}@${safeUrl(ref.endpointUrl)}` : `hf:${ref.model}`;
    case 'openai':
      return `openai:${ref.model}@${safeUrl(ref.baseUrl)}`;
    case 'gguf':
      return `gguf:${ref.path}`;
    case 'local':
      return 'local';
  }
}
