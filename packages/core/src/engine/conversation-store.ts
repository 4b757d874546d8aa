import type { ConversationKey } from './types.js';

/** A stored message of a conversation (user questions and final answers; tool rounds are not kept). */
export interface StoredMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  tokens: number;
}

/** The running summary of a conversation's older messages. */
export interface StoredSummary {
  text: string;
  /** Id of the last message folded into the summary. */
  upto: number;
}

/**
 * Stable id of a conversation: equal keys give equal ids whatever the field order or undefined
 * fields. Fields are escaped so no two different keys collide.
 */
export function conversationId(key: ConversationKey): string {
  const parts: string[] = [key.surface];
  for (const field of ['guildId', 'channelId', 'threadId', 'chainId', 'sessionId'] as const) {
    const value = key[field];
    if (value !== undefined && value !== '') parts.push(`${field}=${encodeURIComponent(value)}`);
  }
  return parts.join('|');
}
