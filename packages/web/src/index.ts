/**
 * Hearth's web console: a fourth surface over the one tool registry (chat, knowledge, tools with
 * forms generated from their schemas, jobs, plugins, health), served by the process itself.
 * @packageDocumentation
 */
export { OPERATOR, type WebUser } from './server/auth.js';
export { startWebConsole, type WebConsole, type WebConsoleOptions } from './server/start.js';
