/**
 * Hearth's Discord surface: conversations, generated slash commands, long jobs and limits.
 * @packageDocumentation
 */
export { startDiscord, type StartDiscordOptions, type DiscordSurface } from './surface.js';
export type { DiscordHearth } from './context.js';
export { splitMessage, MESSAGE_LIMIT } from './render/split.js';
export { buildCommands, BUILTIN_COMMANDS } from './commands/definitions.js';
export { startSharded, recommendedShards } from './shards.js';
