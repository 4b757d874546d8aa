/**
 * The Hearth plugin SDK: define a plugin and its tools once, and Hearth exposes them on Discord,
 * MCP and the command line. See docs/plugins.md.
 * @packageDocumentation
 */
export { definePlugin, validatePlugin, type PluginDefinition, type PluginLifecycleContext } from './plugin.js';
export { defineTool, type ToolDefinition, type AnyToolDefinition, type AutocompleteHandler } from './tool.js';
export type {
  Caller,
  Surface,
  ChatMessage,
  ChatOptions,
  ImageOptions,
  ModelsApi,
  KnowledgeApi,
  KnowledgeHit,
  StorageApi,
  Logger,
  ToolContext,
} from './context.js';
export { PERMISSIONS, isPermission, type Permission } from './permissions.js';
export {
  result,
  toToolResult,
  resultText,
  type ToolResult,
  type ToolReturn,
  type ResultPart,
  type TextPart,
  type ImagePart,
  type FilePart,
} from './results.js';
export {
  HearthError,
  PermissionDeniedError,
  ValidationError,
  ToolTimeoutError,
  ToolCancelledError,
  ToolFailedError,
  PluginDefinitionError,
} from './errors.js';
export { attachment, attachmentBytes, ATTACHMENT_MARKER, type Attachment } from './schema/attachment.js';
export { toJsonSchema, fieldsFromJsonSchema, type FieldSpec, type JsonSchema } from './schema/fields.js';
export { surfaceProblems, DISCORD_LIMITS } from './schema/surfaces.js';
export { pluginDocs } from './schema/docs.js';
export type { HostServices } from './host/guard.js';
/** The SDK's version; plugins' `hearth` ranges are checked against the host's version. */
export const SDK_VERSION = '0.1.0';
