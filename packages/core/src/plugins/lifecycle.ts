import { HearthError, type PluginDefinition, type PluginLifecycleContext } from '@hearth/sdk';
import { pluginScope } from './crash-guard.js';

/**
 * Runs a plugin's `setup` or `teardown` with a time limit, inside the plugin's async scope so any
 * rejection it leaves behind is attributed to it. Throws a {@link HearthError} naming plugin,
 * phase and fix; a late rejection after the limit is observed, never unhandled.
 */
export async function runLifecycleHook(
  plugin: PluginDefinition,
  phase: 'setup' | 'teardown',
  ctx: PluginLifecycleContext,
  limitMs: number,
  hostId: number,
): Promise<void> {
  const hook = plugin[phase];
  if (!hook) return;
  const running = pluginScope.run({ hostId, pluginId: plugin.id, phase }, () =>
    Promise.resolve().then(() => hook.call(plugin, ctx)),
  );
  running.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HearthError(
            'timeout',
            `Plugin "${plugin.id}" ${phase} did not finish within ${limitMs} ms; make it faster or raise plugins.setupTimeoutMs.`,
          ),
        ),
      limitMs,
    );
  });
  try {
    await Promise.race([running, limit]);
  } catch (err) {
    if (err instanceof HearthError && err.code === 'timeout') throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new HearthError(`plugin_${phase}_failed`, `Plugin "${plugin.id}" ${phase} failed: ${detail}`, { cause: err });
  } finally {
    clearTimeout(timer);
    limit.catch(() => {});
  }
}
