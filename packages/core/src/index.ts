/**
 * Hearth's engine: config, model providers, the conversation engine, the knowledge store, the
 * plugin host and the one tool registry that every surface reads.
 * @packageDocumentation
 */
export { createHearth, type Hearth, type CreateHearthOptions } from './runtime.js';
export { HEARTH_VERSION } from './version.js';
export { loadConfig, ConfigError, ENV_KEYS, type LoadConfigOptions } from './config/load.js';
export { configSchema, type HearthConfig, type ConfigInput } from './config/schema.js';
export { Redactor } from './log/redact.js';
export { createLogger, sdkLogger, type HearthLogger } from './log/logger.js';
export { ToolRegistry, type RegisteredTool, type ToolOrigin, type CallOptions, type RegistryListener } from './plugins/registry.js';
export { registeredTool } from './plugins/adapt.js';
export type * from './providers/types.js';
export type * from './knowledge/types.js';
export type * from './engine/types.js';
