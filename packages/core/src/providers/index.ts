/**
 * Model providers: references (`hf:`, `openai:`, `gguf:`, `local`), the registry mapping tasks to
 * models, and the errors provider calls throw.
 * @packageDocumentation
 */

export { mapProviderError, ProviderError, type ProviderErrorCode } from './errors.js';
export { formatModelRef, type ModelRef, ModelRefError, parseModelRef, safeRef, safeUrl } from './refs.js';
export { createModelRegistry } from './registry.js';
export { createRemoteChatModel } from './remote-chat.js';
export type { RemoteTarget } from './remote-client.js';
export { createHfImageModel } from './remote-image.js';
export { type RetryPolicy, withRetries } from './retry.js';
export { approxTokens } from './tokens.js';
export type * from './types.js';
