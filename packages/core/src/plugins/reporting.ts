import { toolNames } from '@hearth/sdk';
import type { HearthLogger } from '../log/logger.js';
import type { EscapedFailure } from './crash-guard.js';
import type { Grant } from './grants.js';
import type { PluginInfo } from './types.js';

/** One line for a loaded plugin (tools, what was granted), plus warnings for withheld or undeclared grants. */
export function logLoaded(log: HearthLogger, info: PluginInfo, grant: Grant): void {
  log.info(
    {
      version: info.version,
      tools: info.tools,
      granted: info.granted,
      workerTools: info.workerTools,
      source: info.source,
    },
    `plugin "${info.id}" ${info.version} loaded: ${info.tools.join(', ')}; granted ${info.granted.join(', ') || 'no permissions'}`,
  );
  if (grant.withheld.length) {
    log.warn(
      { withheld: grant.withheld },
      `plugin "${info.id}" declares ${grant.withheld.join(', ')}, which plugins.grants.${info.id} does not allow; calls needing them fail with a permission error`,
    );
  }
  if (grant.undeclared.length) {
    log.warn(
      { undeclared: grant.undeclared },
      `plugins.grants.${info.id} lists ${grant.undeclared.join(', ')}, which the plugin does not declare; not granted`,
    );
  }
}

/** Logs a rejection or exception that escaped plugin code, against the plugin and tool when known. */
export function logEscaped(log: HearthLogger, failure: EscapedFailure, redact: (text: string) => string): void {
  const text = redact(failure.error instanceof Error ? failure.error.message : String(failure.error));
  const what = failure.kind === 'unhandled-rejection' ? 'a promise rejection unhandled' : 'an exception uncaught';
  const scope = failure.scope;
  if (scope) {
    const where = scope.tool ? `tool "${toolNames(scope.pluginId, scope.tool).mcp}"` : `its ${scope.phase}`;
    log.error(
      { plugin: scope.pluginId, tool: scope.tool, phase: scope.phase, kind: failure.kind },
      `Plugin "${scope.pluginId}" (${where}) left ${what}: ${text}. Hearth keeps running; the plugin should await or catch it.`,
    );
  } else {
    log.error(
      { kind: failure.kind },
      `Unhandled promise rejection outside any plugin call: ${text}. Hearth keeps running.`,
    );
  }
}
