import { basename } from 'node:path';
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { fallbackFiles } from './fallback.js';
import { cpuVariant } from './runtime-info.js';
import { type SelfCheckResult, selfCheckModel } from './self-check.js';

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide llama.cpp binding, CPU only, using the prebuilt binary (never builds or downloads). */
export function llamaRuntime(): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
  });
  return llamaPromise;
}

/** A model file as loaded: which file actually serves (after a failed self-check, a fallback). */
export interface CheckedModel {
  model: LlamaModel;
  /** File asked for. */
  requested: string;
  /** File loaded (equal to `requested` unless the fallback was taken). */
  loaded: string;
  /** Self-check of `requested`. */
  check: SelfCheckResult;
  /** Self-check of the fallback, when `requested` failed its own. */
  fallbackCheck?: SelfCheckResult;
  /** The one line logged about it. */
  line: string;
}

/** Where load-time lines go (default stderr, so stdout stays clean for the CLI and MCP stdio). */
export type LoadLog = (line: string) => void;
const stderrLog: LoadLog = (line) => process.stderr.write(`${line}\n`);

const models = new Map<string, { model: Promise<CheckedModel>; users: number }>();
const reports = new Map<string, CheckedModel>();

/** The latest load of each file in this process (for `localModelRuntimeInfo`). */
export function loadReports(): CheckedModel[] {
  return [...reports.values()];
}

async function loadAndCheck(llama: Llama, file: string, referenceOf: string) {
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const check = await selfCheckModel(model, file, referenceOf);
  if (check.status === 'failed') {
    await model.dispose();
    return { check };
  }
  return { model, check };
}

/**
 * Loads a GGUF file and self-checks it (see self-check.ts). When the check fails, tries the
 * fallbacks of `fallbackFiles` (an F32 copy: F32 weights never take the AMX path) and throws a
 * specific error when none passes. Logs one line saying which file serves and why.
 */
export async function loadCheckedModel(path: string, log: LoadLog = stderrLog): Promise<CheckedModel> {
  const llama = await llamaRuntime();
  const variant = cpuVariant() ?? 'unknown';
  const first = await loadAndCheck(llama, path, path);
  let result: CheckedModel;
  if (first.model) {
    const line = `local model ${basename(path)} on ggml-cpu ${variant}: self-check ${first.check.status} (${first.check.detail}, ${first.check.ms} ms)`;
    result = { model: first.model, requested: path, loaded: path, check: first.check, line };
  } else {
    const tried: string[] = [];
    let found: CheckedModel | undefined;
    for await (const candidate of fallbackFiles(path)) {
      tried.push(`${basename(candidate)}`);
      const next = await loadAndCheck(llama, candidate, path);
      if (!next.model) {
        tried[tried.length - 1] += ` (${next.check.detail})`;
        continue;
      }
      const line = `local model ${basename(path)} FAILED its self-check on ggml-cpu ${variant} (${first.check.detail}); serving ${basename(candidate)} instead (self-check ${next.check.status}: ${next.check.detail})`;
      found = {
        model: next.model,
        requested: path,
        loaded: candidate,
        check: first.check,
        fallbackCheck: next.check,
        line,
      };
      break;
    }
    if (!found) {
      const line = `local model ${basename(path)} FAILED its self-check on ggml-cpu ${variant}: ${first.check.detail}; no fallback passed (tried: ${tried.join(', ') || 'none available'})`;
      log(line);
      throw new Error(line);
    }
    result = found;
  }
  log(result.line);
  reports.set(path, result);
  return result;
}

/** Loads (and self-checks) a GGUF file once per process; every holder must call `releaseModel` when done. */
export async function acquireModel(path: string, log?: LoadLog): Promise<CheckedModel> {
  let entry = models.get(path);
  if (!entry) {
    const model = loadCheckedModel(path, log);
    entry = { model, users: 0 };
    models.set(path, entry);
    model.catch(() => models.delete(path));
  }
  entry.users++;
  return entry.model;
}

export async function releaseModel(path: string): Promise<void> {
  const entry = models.get(path);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    models.delete(path);
    await (await entry.model).model.dispose();
  }
}
