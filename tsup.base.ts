import type { Options } from 'tsup';

/** Shared tsup settings: ESM with declarations, Node 20, dependencies left external. */
export function packageBuild(entry: string[] | Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    tsconfig: '../../tsconfig.base.json',
  };
}
