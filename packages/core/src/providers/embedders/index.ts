import type { Embedder } from '../types.js';
import { HfEmbedder } from './hf.js';
import { LocalHashEmbedder } from './local.js';

export { HfEmbedder, type HfEmbedderOptions } from './hf.js';
export { LOCAL_VARIANTS, LocalHashEmbedder } from './local.js';

/**
 * Creates an embedder from a reference: `local` (the default, offline), `local:<variant>` or `hf:<repo id>`.
 * `hf:` embedders probe the model once to learn its dimension.
 */
export async function createEmbedder(
  ref = 'local',
  options: { hfToken?: string; endpointUrl?: string; timeoutMs?: number; maxRetries?: number } = {},
): Promise<Embedder> {
  const trimmed = ref.trim();
  if (trimmed === '' || trimmed === 'local') return new LocalHashEmbedder();
  if (trimmed.startsWith('local:')) return new LocalHashEmbedder(trimmed.slice('local:'.length));
  if (trimmed.startsWith('hf:')) {
    const embedder = new HfEmbedder(trimmed.slice('hf:'.length), {
      token: options.hfToken,
      endpointUrl: options.endpointUrl,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
    });
    return embedder.probe();
  }
  throw new Error(`Unknown embedder reference "${ref}": use local, local:<variant> or hf:<repo id>`);
}
