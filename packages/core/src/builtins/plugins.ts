import { defineTool } from '@hearth/sdk';
import { z } from 'zod';

/** What `list_plugins` needs from the plugin host. */
export interface PluginLister {
  list(): { id: string; version: string; description: string; tools: string[]; granted: string[] }[];
}

/** `list_plugins`: loaded plugins, their tools and granted permissions. */
export function listPluginsTool(plugins: PluginLister) {
  return defineTool({
    name: 'list_plugins',
    description: 'List loaded plugins with their tools and granted permissions',
    input: z.object({}),
    output: z.object({
      plugins: z.array(
        z.object({
          id: z.string(),
          version: z.string(),
          description: z.string(),
          tools: z.array(z.string()),
          granted: z.array(z.string()),
        }),
      ),
    }),
    async run() {
      const list = plugins.list();
      const text = list.length
        ? list
            .map(
              (p) =>
                `**${p.id}** ${p.version}: ${p.description}\n  tools: ${p.tools.join(', ')}\n  permissions: ${p.granted.join(', ') || 'none'}`,
            )
            .join('\n')
        : 'No plugins are loaded.';
      return { content: [{ type: 'text', text }], data: { plugins: list } };
    },
  });
}
