import type { Caller, ResultPart } from '@hearth/sdk';
import type { ImageInput } from '../providers/types.js';

/**
 * Identifies a conversation: surface plus guild/channel/thread, or a Discord reply chain's root
 * message. Two keys with equal fields are the same conversation.
 */
export interface ConversationKey {
  surface: Caller['surface'];
  guildId?: string;
  channelId?: string;
  threadId?: string;
  /** Root message id of a Discord reply chain. */
  chainId?: string;
  /** MCP session or CLI profile. */
  sessionId?: string;
}

/** A source the answer cites as [n]. */
export interface Citation {
  n: number;
  sourceId: string;
  title: string;
  uri: string;
  excerpt: string;
}

/** One user message in, one answer out. */
export interface TurnInput {
  conversation: ConversationKey;
  text: string;
  caller: Caller;
  signal?: AbortSignal;
  /** Streamed answer text as it is produced (not called for tool-call rounds). */
  onToken?: (text: string) => void;
  /** Tool progress while the model's tool calls run. */
  onProgress?: (fraction: number, message?: string) => void;
  /** Persona name; default the guild's or the config's. */
  persona?: string;
  /**
   * Images that came with the question (a Discord attachment): given to the model with the user
   * message when it can see images (`models.vision`); providers that cannot drop them.
   */
  images?: ImageInput[];
  /** Skip retrieval (e.g. a surface that already grounded the question). */
  noRetrieval?: boolean;
  /**
   * This turn regenerates the answer to the conversation's last exchange with the same question
   * (Discord's 🔄 Regenerate): the old exchange is left out of the prompt and replaced, not repeated.
   */
  regenerate?: boolean;
}

/** The answer and what it was built from. */
export interface TurnResult {
  text: string;
  citations: Citation[];
  toolCalls: { name: string; ok: boolean; error?: string }[];
  /** Images and files produced by tool calls during the turn. */
  attachments: ResultPart[];
  /** True when the knowledge base had nothing relevant and the answer says so. */
  notCovered: boolean;
  model: string;
  /**
   * The grounding check of a model's answer from retrieved sources (absent when there were no
   * sources, a tool answered, or no model was used): `support` is the share of the answer's
   * content words found in its sources; `replaced` when the answer was swapped for quotes.
   */
  grounding?: { support: number; replaced: boolean };
}

/** The conversation engine shared by Discord, MCP `ask` and `hearth chat`. */
export interface Engine {
  turn(input: TurnInput): Promise<TurnResult>;
  /** The exact prompt the next turn would send, for `hearth chat --show-prompt`. */
  previewPrompt(input: Omit<TurnInput, 'onToken' | 'onProgress'>): Promise<{ role: string; content: string }[]>;
  reset(conversation: ConversationKey): Promise<void>;
  /** Persona names available (files in the personas folder plus built-ins). */
  personas(): Promise<string[]>;
  setGuildPersona(guildId: string, persona: string): Promise<void>;
}
