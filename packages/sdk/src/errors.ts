/** Base class of every error Hearth shows to a caller: its message is safe to display. */
export class HearthError extends Error {
  /** Stable machine-readable code, e.g. `permission_denied`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Which of the three permission checks failed: the plugin never declared the permission, the
 * operator did not grant it to the plugin (`plugins.grants`), or the caller (an MCP principal, a
 * Discord member) lacks it. `access` is an admin-only tool called by a non-admin.
 */
export type PermissionFailure = 'undeclared' | 'not_granted' | 'caller' | 'access';

/** A tool used a capability its plugin was not granted, or the caller may not use the tool. */
export class PermissionDeniedError extends HearthError {
  /** Which check failed; undefined for errors built from a message alone. */
  readonly reason?: PermissionFailure;
  /** The permission that was missing, when one was. */
  readonly permission?: string;
  constructor(message: string, details?: { reason: PermissionFailure; permission?: string }) {
    super('permission_denied', message);
    this.reason = details?.reason;
    this.permission = details?.permission;
  }
}

/** The tool input did not match its schema. */
export class ValidationError extends HearthError {
  constructor(message: string, code: 'invalid_input' | 'invalid_output' = 'invalid_input') {
    super(code, message);
  }
}

/** The tool returned data that does not match its own output schema: a plugin bug, not the caller's. */
export class OutputValidationError extends ValidationError {
  constructor(message: string) {
    super(message, 'invalid_output');
  }
}

/** A tool ran past its time limit. */
export class ToolTimeoutError extends HearthError {
  constructor(tool: string, ms: number) {
    super('timeout', `Tool "${tool}" did not finish within ${formatMs(ms)} and was stopped.`);
  }
}

/** The caller cancelled the call (user stop, MCP `notifications/cancelled`, Ctrl-C, shutdown). */
export class ToolCancelledError extends HearthError {
  constructor(tool: string, reason?: string) {
    super('cancelled', `Tool "${tool}" was cancelled${reason ? `: ${reason}` : ''}.`);
  }
}

/** The plugin's own code failed; the message names the tool and keeps the plugin's message. */
export class ToolFailedError extends HearthError {
  constructor(tool: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('tool_failed', `Tool "${tool}" failed: ${detail}`, { cause });
  }
}

/** A plugin manifest or tool definition is invalid, or a surface cannot express it. */
export class PluginDefinitionError extends HearthError {
  constructor(message: string) {
    super('invalid_plugin', message);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
