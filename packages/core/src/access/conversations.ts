import type { Caller } from '@hearth/sdk';

/**
 * The session id of a conversation a caller asked for, kept inside the caller's own namespace:
 * `<surface>:<user>` plus the name it chose. A name alone must not reach another principal's or
 * user's history (`mcp:other` would otherwise continue the conversation of principal "other").
 */
export function ownConversationId(caller: Caller, requested?: string): string {
  const own = `${caller.surface}:${caller.userId}`;
  return requested ? `${own}:${requested}` : own;
}
