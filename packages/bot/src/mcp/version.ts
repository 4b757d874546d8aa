/**
 * What each MCP protocol revision allows, so every result matches the session's negotiated version:
 * a 2025-03-26 client (e.g. SDK 1.12) rejects a whole result that carries a `resource_link`.
 */

/** The revision a session runs before (or without) initialize: the oldest Hearth still answers. */
export const OLDEST_VERSION = '2024-11-05';

/** True when `version` is `since` or newer (revisions are ISO dates, so they compare as strings). */
export function atLeast(version: string, since: string): boolean {
  return version >= since;
}

/** `resource_link` content, `structuredContent`, `outputSchema` and `title` fields arrived in 2025-06-18. */
export function hasStructuredContent(version: string): boolean {
  return atLeast(version, '2025-06-18');
}

/** JSON-RPC batches exist only in 2025-03-26 (added then, removed in 2025-06-18). */
export function allowsBatches(version: string): boolean {
  return version === '2025-03-26';
}

/** `audio` content arrived in 2025-03-26; older sessions get audio files as embedded resources. */
export function hasAudioContent(version: string): boolean {
  return atLeast(version, '2025-03-26');
}
