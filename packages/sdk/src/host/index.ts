/**
 * Host-side building blocks shared by Hearth core and the SDK's test host: the safe call wrapper
 * and the permission-guarded context. Plugin authors do not need this entry.
 * @packageDocumentation
 */
export { invokeTool, type InvokeOptions } from './invoke.js';
export { guardedContext, type HostServices } from './guard.js';
