import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as sdk from '@hearth/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

const ID = /^[a-z][a-z0-9-]{0,23}$/;

/** Options of {@link scaffoldPlugin}. */
export interface ScaffoldOptions {
  /** Parent folder; the plugin goes to `<dir>/<name>`. Default `./plugins`. */
  dir?: string;
  cwd?: string;
  /** Version spec of `@hearth/sdk`; default `workspace:^` inside a pnpm workspace that covers the folder, else `^<sdk version>`. */
  sdk?: string;
}

/**
 * Writes a plugin package: package.json (depending on @hearth/sdk), src/index.ts with one tool,
 * test/plugin.test.ts on the SDK's test host, tsconfig.json and a README. Refuses a non-empty folder.
 */
export function scaffoldPlugin(name: string, options: ScaffoldOptions = {}): { dir: string; files: string[] } {
  if (!ID.test(name)) {
    throw new Error(
      `"${name}" is not a valid plugin id: use 1-24 characters of a-z, 0-9 and "-", starting with a letter.`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir ?? 'plugins', name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} already exists and is not empty; pick another name or --dir.`);
  }
  // The SDK re-exporting zod keeps a plugin's only dependency @hearth/sdk (and one zod instance).
  const zodFromSdk = 'z' in sdk;
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(packageJson(name, options.sdk ?? sdkSpec(dir), zodFromSdk), null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/index.ts': indexTemplate(name, zodFromSdk),
    'test/plugin.test.ts': testTemplate(name),
    'README.md': readmeTemplate(name),
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, files: Object.keys(files) };
}

function packageJson(name: string, sdkVersion: string, zodFromSdk: boolean) {
  return {
    name: `hearth-plugin-${name}`,
    version: '0.1.0',
    description: `A Hearth plugin: ${name}`,
    type: 'module',
    keywords: ['hearth-plugin'],
    exports: { '.': { 'hearth-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist'],
    scripts: { build: 'tsc -p tsconfig.json', test: 'vitest run' },
    dependencies: { '@hearth/sdk': sdkVersion, ...(zodFromSdk ? {} : { zod: '^4.1.12' }) },
    devDependencies: { typescript: '^5.9.3', vitest: '^4.1.12' },
  };
}

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    declaration: true,
    outDir: 'dist',
    rootDir: 'src',
    skipLibCheck: true,
  },
  include: ['src'],
};

/** `workspace:^` when a pnpm workspace above the folder lists it, else the SDK's semver range. */
function sdkSpec(dir: string): string {
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'pnpm-workspace.yaml');
    if (!existsSync(file)) continue;
    const rel = relative(d, dirname(dir)).split('\\').join('/');
    const globs = [...readFileSync(file, 'utf8').matchAll(/^\s*-\s*['"]?([^'"\n]+?)\/\*['"]?\s*$/gm)].map((m) => m[1]);
    return globs.includes(rel) ? 'workspace:^' : `^${sdk.SDK_VERSION}`;
  }
  return `^${sdk.SDK_VERSION}`;
}

function indexTemplate(name: string, zodFromSdk: boolean): string {
  const imports = zodFromSdk
    ? `import { definePlugin, defineTool, z } from '@hearth/sdk';`
    : `import { definePlugin, defineTool } from '@hearth/sdk';\nimport { z } from 'zod';`;
  return `${imports}

/**
 * One tool. Its zod input schema becomes Discord slash-command options, the MCP inputSchema and CLI
 * flags; \`.describe()\` texts are what users see. On every surface it is called \`${name}_greet\`.
 */
const greet = defineTool({
  name: 'greet',
  description: 'Greet someone by name',
  input: z.object({
    name: z.string().min(1).max(50).describe('who to greet'),
    times: z.number().int().min(1).max(5).default(1).describe('how many greetings'),
  }),
  output: z.object({ greeting: z.string() }),
  async run({ name, times }, ctx) {
    ctx.progress(0.5, 'composing');
    const greeting = Array.from({ length: times }, () => \`Hello, \${name}!\`).join(' ');
    ctx.log.info('greeted', { times });
    return { content: [{ type: 'text', text: greeting }], data: { greeting } };
  },
});

export default definePlugin({
  id: '${name}',
  version: '0.1.0',
  hearth: '^0.1.0',
  description: 'Says hello',
  // Declare what the tools use: 'models:chat', 'models:embed', 'models:image', 'knowledge:read',
  // 'knowledge:write', 'storage', 'network'. The operator may grant less.
  permissions: [],
  tools: [greet],
});
`;
}

function testTemplate(name: string): string {
  return `import { createTestHost } from '@hearth/sdk/testing';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

describe('${name}', () => {
  it('greets, as a Discord member would call it', async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('greet', { name: 'Ada', times: 2 });
    expect(call.error).toBeUndefined();
    expect(call.result?.data).toEqual({ greeting: 'Hello, Ada! Hello, Ada!' });
    expect(call.progress.at(-1)?.message).toBe('composing');
    await host.close();
  });

  it('rejects input outside the schema before the tool runs', async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('greet', { name: 'Ada', times: 9 });
    expect(call.error?.code).toBe('invalid_input');
    await host.close();
  });
});
`;
}

function readmeTemplate(name: string): string {
  return `# hearth-plugin-${name}

A Hearth plugin. \`npm test\` runs its tests on the SDK's test host; \`npm run build\` compiles it.

Load it: add its folder (or package name) to \`plugins.load\` in hearth.config.json, or put it in the
plugins folder (\`<dataDir>/plugins\`). Its tool appears as \`/${name} greet\` on Discord and \`${name}_greet\`
over MCP. See Hearth's docs/plugins.md.
`;
}

/** `hearth plugins list | new <name> | docs <id>`. */
export function register(program: Command, ctx: CliContext): void {
  const plugins = program
    .command('plugins')
    .description("list loaded plugins, scaffold a new one, print a plugin's docs");

  plugins
    .command('list')
    .description('loaded plugins with their tools and granted permissions, and plugins that failed to load')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const hearth = await ctx.hearth();
      const loaded = hearth.plugins.list();
      const failed = hearth.plugins.failures();
      if (options.json) return ctx.printJson({ loaded, failed });
      if (!loaded.length && !failed.length) ctx.print('No plugins configured. Create one: hearth plugins new <name>');
      for (const p of loaded) {
        ctx.print(`${p.id} ${p.version}  ${p.description}`);
        ctx.print(
          `  tools: ${p.tools.join(', ')}${p.workerTools.length ? ` (worker thread: ${p.workerTools.join(', ')})` : ''}`,
        );
        ctx.print(
          `  granted: ${p.granted.join(', ') || 'none'}${p.withheld.length ? `; withheld: ${p.withheld.join(', ')}` : ''}`,
        );
        ctx.print(`  from: ${p.source}`);
      }
      for (const f of failed) ctx.print(`FAILED ${f.source}: ${f.error}`);
    });

  plugins
    .command('new <name>')
    .description('scaffold a plugin package whose own test passes out of the box')
    .option('--dir <dir>', 'parent folder', 'plugins')
    .option(
      '--sdk <spec>',
      'version spec of @hearth/sdk in package.json (default: workspace:^ in a pnpm workspace, else ^0.1.0)',
    )
    .action((name: string, options: { dir: string; sdk?: string }) => {
      const { dir, files } = scaffoldPlugin(name, options);
      ctx.print(`Created ${dir}:`);
      for (const f of files) ctx.print(`  ${f}`);
      ctx.print(`Next: cd ${relative(process.cwd(), dir) || '.'} && npm install && npm test`);
      ctx.print(`Then add "${dir}" to plugins.load in hearth.config.json (or put the folder in the plugins folder).`);
    });

  plugins
    .command('docs <id>')
    .description("markdown reference of a loaded plugin's tools, generated from their schemas")
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (id: string, options: { out?: string }) => {
      const hearth = await ctx.hearth();
      const definition = hearth.plugins.definition(id);
      if (!definition) {
        const loaded = hearth.plugins.list().map((p) => p.id);
        throw new Error(
          `No plugin "${id}" is loaded (loaded: ${loaded.join(', ') || 'none'}); check plugins.load and hearth plugins list.`,
        );
      }
      const text = sdk.pluginDocs(definition);
      if (options.out) writeFileSync(options.out, text);
      else ctx.print(text);
    });
}
