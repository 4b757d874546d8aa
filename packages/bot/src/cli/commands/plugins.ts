import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@hearth/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

const ID = /^[a-z][a-z0-9-]{0,23}$/;

/** Options of {@link scaffoldPlugin}. */
export interface ScaffoldOptions {
  /** Parent folder; the plugin goes to `<dir>/<name>`. Default `./plugins`. */
  dir?: string;
  cwd?: string;
  /**
   * Version spec of `@hearth/sdk`. Default: `workspace:^` inside a pnpm workspace that lists the
   * folder; else a tarball of this checkout's SDK packed into `<plugin>/vendor/` (`file:vendor/...`),
   * so `npm install` works before the SDK is published; `^<version>` when no checkout is at hand.
   */
  sdk?: string;
  /** Where the SDK package is (default: resolved from this process); tests point it elsewhere. */
  sdkDir?: string;
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
  mkdirSync(dir, { recursive: true });
  const spec = options.sdk ?? sdkSpec(dir) ?? packSdk(dir, options.sdkDir ?? sdkPackageDir());
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(packageJson(name, spec, zodFromSdk), null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'vitest.config.ts': vitestConfig,
    '.gitignore': 'node_modules/\ndist/\n',
    'src/index.ts': indexTemplate(name, zodFromSdk),
    'test/plugin.test.ts': testTemplate(name),
    'README.md': readmeTemplate(name, spec),
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
    devDependencies: { '@types/node': '^20.19.0', typescript: '^5.9.3', vitest: '^4.1.12' },
    engines: { node: '>=20' },
  };
}

/** The plugin's own vitest config: without one, vitest would pick up a config of a folder above. */
const vitestConfig = `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'] },
});
`;

/** The folder of the @hearth/sdk package this process runs with (source checkout or installed build). */
function sdkPackageDir(): string | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve('@hearth/sdk')));
    for (; dir !== dirname(dir); dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === '@hearth/sdk') return dir;
    }
  } catch {
    // not resolvable from here: fall back to the registry range
  }
  return undefined;
}

/**
 * Packs this checkout's SDK into `<plugin>/vendor/` and returns `file:vendor/<tarball>`; builds
 * the SDK first when its dist/ is missing or older than its sources. Without a checkout (an
 * installed Hearth), returns the registry range.
 */
function packSdk(pluginDir: string, sdkDir: string | undefined): string {
  if (!sdkDir || !existsSync(join(sdkDir, 'src'))) return `^${sdk.SDK_VERSION}`;
  if (distStale(sdkDir)) {
    execFileSync('corepack', ['pnpm', 'run', 'build'], {
      cwd: sdkDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
  }
  const vendor = join(pluginDir, 'vendor');
  mkdirSync(vendor, { recursive: true });
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', vendor], {
    cwd: sdkDir,
    encoding: 'utf8',
  });
  const tarball = out.trim().split('\n').at(-1)!;
  return `file:vendor/${tarball}`;
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function distStale(sdkDir: string): boolean {
  const dist = join(sdkDir, 'dist');
  if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'testing', 'index.js'))) return true;
  return newest(join(sdkDir, 'src')) > newest(dist);
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

/** `workspace:^` when a pnpm workspace above the folder lists it; undefined otherwise. */
function sdkSpec(dir: string): string | undefined {
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'pnpm-workspace.yaml');
    if (!existsSync(file)) continue;
    const rel = relative(d, dirname(dir)).split('\\').join('/');
    const globs = [...readFileSync(file, 'utf8').matchAll(/^\s*-\s*['"]?([^'"\n]+?)\/\*['"]?\s*$/gm)].map((m) => m[1]);
    return globs.includes(rel) ? 'workspace:^' : undefined;
  }
  return undefined;
}

function indexTemplate(name: string, zodFromSdk: boolean): string {
  const n = sdk.toolNames(name, 'greet');
  const imports = zodFromSdk
    ? `import { definePlugin, defineTool, z } from '@hearth/sdk';`
    : `import { definePlugin, defineTool } from '@hearth/sdk';\nimport { z } from 'zod';`;
  return `${imports}

/**
 * One tool. Its zod input schema becomes Discord slash-command options, the MCP inputSchema and CLI
 * flags; \`.describe()\` texts are what users see. Its names: Discord and chat \`${n.slash}\`,
 * MCP \`${n.mcp}\`, CLI \`hearth ${n.cli.join(' ')} --name Ada\`.
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
  // 'knowledge:write', 'storage', 'network' (for ctx.fetch). The operator may grant less.
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

function readmeTemplate(name: string, spec: string): string {
  const n = sdk.toolNames(name, 'greet');
  const vendored = spec.startsWith('file:vendor/')
    ? `\n\`@hearth/sdk\` comes from \`${spec.slice(5)}\`, packed from the Hearth checkout that created this folder\n(the SDK is not on the npm registry yet). To update it: \`hearth plugins new\` again elsewhere and copy\nits vendor/ tarball, or \`npm pack\` Hearth's built packages/sdk into vendor/ and fix package.json.\n`
    : '';
  return `# hearth-plugin-${name}

A Hearth plugin. \`npm install && npm test\` runs its tests on the SDK's test host; \`npm run build\`
compiles it.
${vendored}
Load it: add its folder (or package name) to \`plugins.load\` in hearth.config.json, or put it in the
plugins folder (\`<dataDir>/plugins\`). Its tool \`greet\` is:

| surface | name |
| --- | --- |
| Discord | \`${n.slash}\` |
| MCP | \`${n.mcp}\` |
| CLI | \`hearth ${n.cli.join(' ')} --name Ada\` |
| \`hearth chat\` | \`${n.slash} name=Ada\` |

While you work on it, \`hearth plugins reload ${name} --watch\` reloads it on every saved file. See Hearth's
docs/plugins.md.
`;
}

/** `hearth plugins list | new <name> | reload <id> [--watch] | docs <id>`. */
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
      "version spec of @hearth/sdk in package.json (default: workspace:^ in a pnpm workspace, else a tarball of this checkout's SDK in vendor/)",
    )
    .action((name: string, options: { dir: string; sdk?: string }) => {
      const { dir, files } = scaffoldPlugin(name, options);
      ctx.print(`Created ${dir}:`);
      for (const f of files) ctx.print(`  ${f}`);
      ctx.print(`Next: cd ${relative(process.cwd(), dir) || '.'} && npm install && npm test`);
      ctx.print(`Then add "${dir}" to plugins.load in hearth.config.json (or put the folder in the plugins folder).`);
    });

  plugins
    .command('reload <id>')
    .description(
      'reload a plugin here and in every running Hearth on this data folder; --watch reloads on each file change',
    )
    .option('--watch', 'keep running and reload whenever a file of the plugin changes (Ctrl-C stops)')
    .action(async (id: string, options: { watch?: boolean }) => {
      const hearth = await ctx.hearth();
      const info = await hearth.plugins.reload(id);
      hearth.plugins.requestReload(id);
      ctx.print(
        `Reloaded ${info.id} ${info.version}: ${info.tools.join(', ')} (running Hearth processes on this data folder reload it too)`,
      );
      if (!options.watch) return;
      ctx.print(`Watching ${info.source} for changes; Ctrl-C stops.`);
      await new Promise<void>((done) => {
        const stop = hearth.plugins.watch(id, (r) => {
          if (r.info) {
            hearth.plugins.requestReload(id);
            ctx.print(`${new Date().toLocaleTimeString()} ${r.file} changed: reloaded ${r.info.id} ${r.info.version}`);
          } else ctx.print(`${new Date().toLocaleTimeString()} ${r.file} changed: reload failed: ${r.error}`);
        });
        process.once('SIGINT', () => {
          stop();
          done();
        });
      });
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
