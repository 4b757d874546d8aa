/**
 * The Hearth plugin SDK: define a plugin and its tools once, and Hearth exposes them on Discord,
 * MCP and the command line. See docs/plugins.md.
 * @packageDocumentation
 */

export type {
  AtomicStorageApi,
  Caller,
  ChatMessage,
  ChatOptions,
  ImageOptions,
  KnowledgeApi,
  KnowledgeHit,
  Logger,
  ModelsApi,
  StorageApi,
  Surface,
  ToolContext,
} from './context.js';
export {
  HearthError,
  OutputValidationError,
  PermissionDeniedError,
  type PermissionFailure,
  PluginDefinitionError,
  ToolCancelledError,
  ToolFailedError,
  ToolTimeoutError,
  ValidationError,
} from './errors.js';
export type { HostServices } from './host/guard.js';
export { isPermission, PERMISSIONS, type Permission } from './permissions.js';
export { definePlugin, type PluginDefinition, type PluginLifecycleContext, validatePlugin } from './plugin.js';
export {
  type FilePart,
  type ImagePart,
  type ResultPart,
  result,
  resultText,
  type TextPart,
  type ToolResult,
  type ToolReturn,
  toToolResult,
} from './results.js';
export { ATTACHMENT_MARKER, type Attachment, attachment, attachmentBytes } from './schema/attachment.js';
export { pluginDocs } from './schema/docs.js';
export {
  type FieldSpec,
  fieldsFromJsonSchema,
  type JsonSchema,
  parseFieldText,
  toJsonSchema,
} from './schema/fields.js';
export {
  DISCORD_LIMITS,
  groupClash,
  HOST_COMMANDS,
  HOST_TOOLS,
  surfaceProblems,
  type ToolNames,
  toolNames,
} from './schema/surfaces.js';
export {
  type AnyToolDefinition,
  type AutocompleteChoice,
  type AutocompleteContext,
  type AutocompleteHandler,
  defineTool,
  type RenderHints,
  type ToolDefinition,
} from './tool.js';
/** The SDK's version; plugins' `hearth` ranges are checked against the host's version. */
export const SDK_VERSION = '0.2.0';
