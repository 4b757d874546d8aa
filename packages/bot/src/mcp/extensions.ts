import type {
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from './identity.js';

/**
 * More resources beside knowledge sources and artifacts, under a URI scheme of their own. Hearth's
 * own resources are always asked first, so a provider cannot shadow them.
 */
export interface McpResourceProvider {
  /** Resources listed to `principal`. */
  list(principal: Principal): Promise<Resource[]>;
  /** Resource templates (RFC 6570) this provider serves. */
  templates(): ResourceTemplate[];
  /** The contents of `uri`, or undefined when this provider does not serve it. */
  read(uri: string, principal: Principal): Promise<ReadResourceResult['contents'] | undefined>;
}

/** More prompts beside Hearth's own; a name Hearth already uses is ignored. */
export interface McpPromptProvider {
  prompts: Prompt[];
  /** The prompt `name` (one of `prompts`) filled with `args`; throw an McpError for bad arguments. */
  get(name: string, args: Record<string, string>, principal: Principal): Promise<GetPromptResult>;
}

/** What a deployment (or a test) adds to every session's resources and prompts. */
export interface McpExtensions {
  resources?: McpResourceProvider[];
  prompts?: McpPromptProvider[];
}
