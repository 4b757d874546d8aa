/**
 * Hearth's engine: config, model providers, the conversation engine, the knowledge store, the
 * plugin host and the one tool registry that every surface reads.
 * @packageDocumentation
 */

export {
  type ArtifactOwner,
  canAddKnowledge,
  canCallTool,
  canModifySource,
  canReadArtifact,
  canReadSource,
  canUseModel,
  hasGrant,
  type Party,
  partyOf,
} from './access/index.js';
export { ConfigError, ENV_KEYS, type LoadConfigOptions, loadConfig } from './config/load.js';
export { DEFAULT_QUEUED_TOOLS } from './config/scale.js';
export { type ConfigInput, configSchema, type HearthConfig } from './config/schema.js';
export { DatabaseUnavailableError, databaseUnavailable } from './engine/conversations.js';
export type * from './engine/types.js';
export type * from './knowledge/types.js';
export { createLogger, type HearthLogger, sdkLogger } from './log/logger.js';
export { Redactor } from './log/redact.js';
export { currentRequestId, newRequestId, withRequestId } from './log/request.js';
export type { McpServers, ServerStatus } from './mcp-client/index.js';
export { registeredTool } from './plugins/adapt.js';
export {
  type CallOptions,
  type RegisteredTool,
  type RegistryListener,
  type ToolOrigin,
  ToolRegistry,
} from './plugins/registry.js';
export type * from './providers/types.js';
export { type CreateHearthOptions, createHearth, type Hearth } from './runtime.js';
export type { HearthStorage } from './storage/index.js';
export { HEARTH_VERSION } from './version.js';
