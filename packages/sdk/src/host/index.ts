/**
 * Host-side building blocks shared by Hearth core and the SDK's test host: the safe call wrapper
 * and the permission-guarded context. Plugin authors do not need this entry.
 * @packageDocumentation
 */

export { guardedContext, type HostServices } from './guard.js';
export { type InvokeOptions, invokeTool } from './invoke.js';
