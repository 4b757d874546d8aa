import type { Options } from 'tsup';

/** Shared tsup settings: ESM with declarations, Node 20, dependencies left external. */
export function packageBuild(entry: string[] | Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    // declarations are built against published types, not the hearth-source (TypeScript source) condition
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    // each package's own: only its src/ (the base config alone would take in the whole repo)
    tsconfig: 'tsconfig.build.json',
  };
}
