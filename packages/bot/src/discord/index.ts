/**
 * Hearth's Discord surface: conversations, generated slash commands, long jobs and limits.
 * @packageDocumentation
 */

export { BUILTIN_COMMANDS, buildCommands } from './commands/definitions.js';
export { closeCodeInfo, describeCloseCode } from './connection/close-codes.js';
export type { DiscordHearth } from './context.js';
export { checkDiscord, type DiscordCheck } from './doctor.js';
export { MESSAGE_LIMIT, splitMessage } from './render/split.js';
export { recommendedShards, startSharded } from './shards.js';
export { type DiscordSurface, type StartDiscordOptions, startDiscord } from './surface.js';
