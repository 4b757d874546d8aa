import { type AnyToolDefinition, type Caller, type Logger, PERMISSIONS } from '@hearth/sdk';
import type { Engine } from '../engine/types.js';
import type { KnowledgeStore } from '../knowledge/types.js';
import { registeredTool } from '../plugins/adapt.js';
import type { ToolRegistry } from '../plugins/registry.js';
import { askTool } from './ask.js';
import { addKnowledgeTool, removeKnowledgeTool, searchKnowledgeTool } from './knowledge.js';
import { listPluginsTool, type PluginLister } from './plugins.js';

/** Registers Hearth's own tools (ask, knowledge, list_plugins) in the registry every surface reads. */
export function registerBuiltinTools(deps: {
  registry: ToolRegistry;
  engine: Engine;
  knowledge: KnowledgeStore;
  plugins: PluginLister;
}): void {
  const tools: AnyToolDefinition[] = [
    askTool(deps.engine),
    searchKnowledgeTool(deps.knowledge),
    addKnowledgeTool(deps.knowledge),
    removeKnowledgeTool(deps.knowledge),
    listPluginsTool(deps.plugins),
  ];
  const unused = () => {
    throw new Error('built-in tools use core directly, not ctx services');
  };
  const noServices = { models: unused, knowledge: unused, storage: unused } as never;
  const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  deps.registry.add(
    tools.map((tool) =>
      registeredTool({
        tool,
        name: tool.name,
        origin: { kind: 'builtin' },
        ownerId: 'core',
        granted: new Set(PERMISSIONS),
        defaultTimeoutMs: 120_000,
        services: (_caller: Caller) => noServices,
        log: () => silent,
      }),
    ),
  );
}
