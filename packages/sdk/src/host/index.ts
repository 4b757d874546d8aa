/**
 * Host-side building blocks shared by Hearth core and the SDK's test host: the safe call wrapper
 * and the permission-guarded context. Plugin authors do not need this entry.
 * @packageDocumentation
 */

export { AUTOCOMPLETE_TIMEOUT_MS, runAutocomplete, type Suggestion } from './autocomplete.js';
export {
  effectivePermissions,
  guardedContext,
  type HostServices,
  type PermissionSources,
  permissionProblem,
  ReadonlyPermissionSet,
} from './guard.js';
export { checkCall, type InvokeOptions, invokeTool } from './invoke.js';
export { guardedStorage, withAtomicUpdate } from './storage.js';
