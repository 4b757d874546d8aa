import type { PluginDefinition } from '../plugin.js';
import { fieldsFromJsonSchema, toJsonSchema } from './fields.js';
import { groupClash, toolNames } from './surfaces.js';

/** Markdown reference of a plugin's tools, generated from the same schemas the surfaces use. */
export function pluginDocs(plugin: PluginDefinition): string {
  const lines = [
    `# ${plugin.id} ${plugin.version}`,
    '',
    plugin.description,
    '',
    `Permissions: ${plugin.permissions.join(', ') || 'none'}`,
    '',
  ];
  const clash = groupClash(plugin.id);
  if (clash) lines.push(`Note: ${clash} on every surface.`, '');
  for (const tool of plugin.tools) {
    const names = toolNames(plugin.id, tool.name);
    const name = names.mcp;
    lines.push(
      `## \`${name}\``,
      '',
      tool.description,
      '',
      '| field | type | required | notes |',
      '| --- | --- | --- | --- |',
    );
    for (const f of fieldsFromJsonSchema(toJsonSchema(tool.input), Object.keys(tool.autocomplete ?? {}))) {
      const notes = [
        f.description,
        f.choices ? `one of ${f.choices.map((c) => `\`${c}\``).join(', ')}` : '',
        f.min !== undefined ? `min ${f.min}` : '',
        f.max !== undefined ? `max ${f.max}` : '',
        f.default !== undefined ? `default \`${JSON.stringify(f.default)}\`` : '',
      ].filter(Boolean);
      lines.push(
        `| \`${f.name}\` | ${f.type}${f.array ? '[]' : ''} | ${f.required ? 'yes' : 'no'} | ${notes.join('; ')} |`,
      );
    }
    lines.push(
      '',
      `Discord: \`${names.slash}\` · MCP: \`${names.mcp}\` · CLI: \`hearth ${names.cli.join(' ')}\` · chat: \`${names.slash}\``,
      '',
    );
  }
  return lines.join('\n');
}
