import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../..');
const sdk = join(repo, 'packages/sdk');

/** Every ```ts block that is a whole module (has an import); fragments are left out. */
function samples(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => /^import /m.test(code));
}

/**
 * Type-checks the samples as a plugin author's files: `@hearth/sdk` resolves to the SDK sources,
 * and a sample importing `../src/index.js` gets the sample that defines the plugin.
 */
function typeErrors(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-doc-samples-'));
  const paths = Object.keys(files).map((name) => {
    writeFileSync(join(dir, name), files[name]!);
    return join(dir, name);
  });
  const program = ts.createProgram(paths, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(repo, 'node_modules/@types')],
    baseUrl: dir,
    paths: {
      '@hearth/sdk': [join(sdk, 'src/index.ts')],
      '@hearth/sdk/testing': [join(sdk, 'src/testing/index.ts')],
      zod: [join(sdk, 'node_modules/zod')],
      vitest: [join(repo, 'node_modules/vitest')],
    },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && paths.includes(d.file.fileName))
    .map((d) => `${d.file!.fileName.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('code samples in the docs compile against the SDK', () => {
  it('docs/plugins.md', () => {
    const [plugin, ...rest] = samples('docs/plugins.md');
    expect(plugin).toContain('export default definePlugin');
    const files: Record<string, string> = { 'plugin.ts': plugin! };
    rest.forEach((code, i) => {
      files[`sample-${i}.ts`] = `${code.replace("'../src/index.js'", "'./plugin.js'")}\nexport {};\n`;
    });
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(2);
    expect(typeErrors(files)).toEqual([]);
  }, 60_000);

  it('packages/sdk/README.md', () => {
    const files = Object.fromEntries(samples('packages/sdk/README.md').map((code, i) => [`readme-${i}.ts`, code]));
    expect(Object.keys(files).length).toBe(1);
    // the same check catches a wrong sample: a tool name must be a string
    const broken = { ...files, 'broken.ts': `${files['readme-0.ts']!.replace("name: 'create'", 'name: 1')}` };
    expect(typeErrors(files)).toEqual([]);
    expect(typeErrors(broken).join('\n')).toMatch(/broken\.ts: .*number.*string/s);
  }, 60_000);
});
