import { localModelFile } from '../local-model-file.js';
import { acquireModel, type LoadLog, llamaRuntime, loadReports, releaseModel } from './runtime.js';
import { cpuFlags, cpuLibrary, cpuVariant } from './runtime-info.js';
import type { SelfCheckResult } from './self-check.js';

/** What `hearth doctor` prints about the local model runtime. */
export interface LocalModelRuntimeInfo {
  /** ggml CPU variant in use (`haswell`, `skylakex`, `sapphirerapids`, …); null when unknown. */
  cpuVariant: string | null;
  /** Path of the loaded `libggml-cpu-<variant>.so`; null when unknown (non-Linux). */
  cpuLibrary: string | null;
  /** Relevant CPU feature flags present (avx2, avx512f, amx_int8, …). */
  cpuFlags: string[];
  /** Whether the CPU has AMX int8 (the path that computed NaN on Q8_0; see self-check.ts). */
  amx: boolean;
  /** llama.cpp's own system info line. */
  systemInfo: string;
  /** The `local` model's load. */
  model: {
    /** File `local` resolves to. */
    requested: string;
    /** File actually serving (undefined when none could). */
    loaded?: string;
    /** Whether a fallback file serves instead of `requested`. */
    fallback: boolean;
    /** Self-check of `requested`. */
    check?: SelfCheckResult;
    /** Self-check of the fallback, when taken. */
    fallbackCheck?: SelfCheckResult;
    /** Why no file could serve. */
    error?: string;
  };
  /** One readable line summarising the above. */
  summary: string;
}

/**
 * Loads the `local` model (or reuses this process's load), and reports which ggml CPU variant runs
 * it, the CPU's features, and the load-time self-check (and fallback) result. Never throws for a
 * failing model: the failure is in `model.error` and `summary`.
 */
export async function localModelRuntimeInfo(
  options: { dataDir?: string; log?: LoadLog } = {},
): Promise<LocalModelRuntimeInfo> {
  const llama = await llamaRuntime();
  const requested = localModelFile(options.dataDir);
  const flags = cpuFlags();
  const base = {
    cpuVariant: cpuVariant() ?? null,
    cpuLibrary: cpuLibrary() ?? null,
    cpuFlags: flags,
    amx: flags.includes('amx_int8'),
    systemInfo: llama.systemInfo,
  };
  let report = loadReports().find((r) => r.requested === requested);
  if (!report) {
    try {
      report = await acquireModel(requested, options.log ?? (() => {}));
      await releaseModel(requested);
    } catch (e) {
      const error = (e as Error).message;
      return { ...base, model: { requested, fallback: false, error }, summary: error };
    }
  }
  return {
    ...base,
    cpuVariant: cpuVariant() ?? null,
    cpuLibrary: cpuLibrary() ?? null,
    model: {
      requested,
      loaded: report.loaded,
      fallback: report.loaded !== requested,
      check: report.check,
      fallbackCheck: report.fallbackCheck,
    },
    summary: report.line,
  };
}
