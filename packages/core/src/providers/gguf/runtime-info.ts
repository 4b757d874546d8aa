import { existsSync, readFileSync } from 'node:fs';

/** CPU flags that decide which ggml-cpu variant loads and which kernels run. */
const RELEVANT_FLAGS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx_vnni',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx512_bf16',
  'avx512_fp16',
  'amx_tile',
  'amx_int8',
  'amx_bf16',
];

function readText(path: string): string {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  } catch {
    return '';
  }
}

/**
 * The ggml CPU backend library this process loaded (`libggml-cpu-<variant>.so`), from
 * /proc/self/maps: node-llama-cpp ships one build per x86-64 level and ggml picks the best scoring
 * one at runtime. Undefined before llama.cpp is loaded or off Linux.
 */
export function cpuLibrary(maps = readText('/proc/self/maps')): string | undefined {
  return maps.match(/\S*libggml-cpu-[\w.-]+\.so\S*/)?.[0];
}

/** The variant name of `cpuLibrary()` (`haswell`, `skylakex`, `sapphirerapids`, …). */
export function cpuVariant(maps?: string): string | undefined {
  return cpuLibrary(maps)?.match(/libggml-cpu-([\w.-]+?)\.so/)?.[1];
}

/** The CPU's relevant feature flags (from /proc/cpuinfo; empty off Linux). */
export function cpuFlags(cpuinfo = readText('/proc/cpuinfo')): string[] {
  const line = cpuinfo.match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  const flags = new Set(line.trim().split(/\s+/));
  return RELEVANT_FLAGS.filter((f) => flags.has(f));
}
