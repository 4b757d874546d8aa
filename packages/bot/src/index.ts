/**
 * `@hearth/bot`: the surfaces over `@hearth/core`. Each surface has its own entry
 * (`@hearth/bot/discord`, `@hearth/bot/mcp`); this root entry re-exports both for programs that
 * embed Hearth and start the surfaces themselves instead of through the `hearth` command.
 *
 * @example
 * ```ts
 * import { createHearth } from '@hearth/core';
 * import { startDiscord, startMcpHttp } from '@hearth/bot';
 * ```
 */
export * from './discord/index.js';
export * from './mcp/index.js';
