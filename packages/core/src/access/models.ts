import { parseModelRef, safeRef } from '../providers/refs.js';

/** A model task, as plugins ask for it. */
export type ModelTask = 'chat' | 'embed' | 'image';

/** What a plugin may name as `model`: the operator's configured refs plus an explicit allow list. */
export interface ModelPolicy {
  /** The configured reference per task (raw, or as `ModelRegistry.describe()` shows it). */
  configured: Partial<Record<ModelTask, string | undefined>>;
  /** Extra references the operator allows plugins to name (exact strings). */
  allowed?: readonly string[];
}

/**
 * Whether a plugin may use model `ref` for `task`. No ref (the configured default) is always fine;
 * otherwise the ref must be the configured one for that task, one the operator allowed, or an
 * embedded local model (no network, no secret). Anything else could send the operator's
 * OPENAI_API_KEY / HF_TOKEN to an address the plugin chose, or load an arbitrary file (`gguf:`).
 */
export function canUseModel(ref: string | undefined, task: ModelTask, policy: ModelPolicy): boolean {
  if (ref === undefined) return true;
  const text = ref.trim();
  if (policy.allowed?.includes(text)) return true;
  const configured = policy.configured[task];
  // describe() hides credentials, so a configured ref matches in its shown form: same host and path
  if (configured !== undefined && (text === configured || safeRef(text) === configured)) return true;
  if (task === 'embed') return text === 'local' || /^local:[\w.-]+$/.test(text);
  try {
    return parseModelRef(text).kind === 'local';
  } catch {
    return false;
  }
}
