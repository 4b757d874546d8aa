/**
 * Bundles the console's page (ui/main.tsx, Preact) into assets/app.js with esbuild. The bundle is
 * committed so the console works offline from a fresh clone with no build step; a test checks it
 * matches its sources. Usage: `corepack pnpm --filter @hearth/web build:ui`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Builds the bundle in memory and returns its text. */
export async function bundleUi(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../ui/main.tsx', import.meta.url))],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const js = await bundleUi();
  writeFileSync(new URL('../assets/app.js', import.meta.url), js);
  console.log(`assets/app.js: ${js.length} bytes`);
}
