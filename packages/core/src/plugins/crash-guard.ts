import { AsyncLocalStorage } from 'node:async_hooks';

/** What a piece of plugin code was doing; carried through every async continuation of it. */
export interface PluginScope {
  /** Which host owns the plugin (several hosts may share a process, e.g. in tests). */
  hostId: number;
  pluginId: string;
  phase: 'setup' | 'call' | 'teardown';
  tool?: string;
}

/** A failure that escaped a plugin's promises or callbacks. */
export interface EscapedFailure {
  kind: 'unhandled-rejection' | 'uncaught-exception';
  error: unknown;
  /** Set when the failure came from plugin code (attributed through async context). */
  scope?: PluginScope;
}

/**
 * Async context of plugin code. Node propagates it into promises, timers and callbacks created
 * while the code runs, and runs the process's `unhandledRejection` handler in the rejected
 * promise's context, so a late rejection is attributed to the plugin and tool that caused it.
 */
export const pluginScope = new AsyncLocalStorage<PluginScope>();

type Reporter = { hostId: number; report: (failure: EscapedFailure) => void };
const reporters: Reporter[] = [];

function dispatch(failure: EscapedFailure): void {
  const owner = failure.scope ? reporters.find((r) => r.hostId === failure.scope?.hostId) : undefined;
  const target = owner ?? reporters[0];
  try {
    target?.report(failure);
  } catch {
    // reporting must never throw out of a process handler
  }
}

function onRejection(reason: unknown): void {
  dispatch({ kind: 'unhandled-rejection', error: reason, scope: pluginScope.getStore() });
}

function onException(error: unknown): void {
  const scope = pluginScope.getStore();
  if (scope) {
    dispatch({ kind: 'uncaught-exception', error, scope });
    return;
  }
  // Not a plugin's: behave like Node without a handler, unless someone else also listens.
  if (process.listenerCount('uncaughtException') > 1) return;
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

/**
 * Installs process-level guards so a plugin's escaped rejection or thrown callback is logged
 * (attributed where possible) instead of ending the process. Returns an uninstall function; the
 * process handlers go away with the last host.
 */
export function installCrashGuard(hostId: number, report: (failure: EscapedFailure) => void): () => void {
  const entry = { hostId, report };
  if (reporters.length === 0) {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  }
  reporters.push(entry);
  return () => {
    const i = reporters.indexOf(entry);
    if (i < 0) return;
    reporters.splice(i, 1);
    if (reporters.length === 0) {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    }
  };
}
