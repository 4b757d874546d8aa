import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LlamaModel, Token } from 'node-llama-cpp';
import {
  type ModelReference,
  REFERENCE_TEXT,
  referenceMatchesFile,
  referencePathFor,
} from '../../local-models/gguf/reference-format.js';

/**
 * Why a load-time check exists: on Intel Xeons with AMX (Sapphire Rapids and later), node-llama-cpp
 * 3.21 loads `libggml-cpu-sapphirerapids.so`, whose ggml-cpu registers the AMX "extra buffer type".
 * Q8_0 (and Q4_x/K-quant, F16) matmul weights whose output rows are a multiple of 32 are moved into
 * it at load and repacked into AMX/VNNI tiles (16x32 int8 blocks + their f16 scales + s8s8
 * compensation); prompt batches (M > 1) then run `tinygemm_kernel_amx`, single tokens the AVX512-VNNI
 * kernel. On our small Q8_0 model (d=96: K = 3 Q8_0 blocks per row, far below the shapes that path
 * is tuned on) that path produced NaN logits (parity test "Q8_0 perplexity": NaN; the shipped model
 * emitted `Q8_0000…`), while every other variant and F32 weights (never AMX-eligible) are correct;
 * moving the .so away fixed it. Upstream later patched that kernel (e.g. 64-byte alignment of its
 * thread-local tile buffers); we could not reproduce on this AMX-less machine, so rather than trust
 * a CPU list we check the numbers: a short forward pass must reproduce log-probabilities computed
 * at export time by our own tfjs implementation, and a failing file is replaced (see runtime.ts).
 */

/** Outcome of a model's load-time self-check. */
export interface SelfCheckResult {
  /** File checked. */
  file: string;
  /**
   * `passed`: finite and within tolerance of the reference; `finite`: no reference to compare
   * with, but the log-probabilities were finite; `failed`: NaN/infinite or off the reference.
   */
  status: 'passed' | 'finite' | 'failed';
  /** Largest |llama.cpp - reference| log-probability over the positions (when compared). */
  maxDiff?: number;
  /** Mean |llama.cpp - reference| log-probability (when compared). */
  meanDiff?: number;
  /** Tolerance it was compared against. */
  tolerance?: ModelReference['tolerance'];
  /** Why it failed (or what was checked). */
  detail: string;
  /** Milliseconds the check took. */
  ms: number;
}

/** Reads the reference written for `file`, if there is one that describes this exact file. */
export function readReference(file: string): ModelReference | undefined {
  const path = referencePathFor(file);
  if (!existsSync(path)) return undefined;
  const ref = JSON.parse(readFileSync(path, 'utf8')) as ModelReference;
  return referenceMatchesFile(ref, file, statSync(file).size) ? ref : undefined;
}

/** llama.cpp's log p(ids[i+1] | ids[..i]) for every position, via one batched evaluation. */
export async function llamaNextTokenLogProbs(model: LlamaModel, ids: number[]): Promise<number[]> {
  const ctx = await model.createContext({ contextSize: Math.max(32, ids.length + 1), threads: 1, sequences: 1 });
  try {
    // Batched on purpose: prompts are evaluated in batches, which is where the AMX path ran.
    const out = await ctx
      .getSequence()
      .controlledEvaluate(ids.map((t) => [t as Token, { generateNext: { probabilities: true } }]));
    return ids.slice(1).map((next, i) => Math.log(out[i]?.next?.probabilities?.get(next as Token) ?? Number.NaN));
  } finally {
    await ctx.dispose();
  }
}

/**
 * Runs the self-check of a loaded model: its next-token log-probabilities on the reference tokens
 * must be finite and within the reference's tolerance; without a reference, finite on a short text.
 * `referenceOf`: a file whose reference applies when `file` has none (a fallback copy of it).
 */
export async function selfCheckModel(model: LlamaModel, file: string, referenceOf?: string): Promise<SelfCheckResult> {
  const started = performance.now();
  const ref = readReference(file) ?? (referenceOf && referenceOf !== file ? readReference(referenceOf) : undefined);
  const ids = ref ? ref.tokens : model.tokenize(REFERENCE_TEXT).slice(0, 48);
  const done = (r: Omit<SelfCheckResult, 'file' | 'ms'>): SelfCheckResult => ({
    file,
    ...r,
    ms: Math.round(performance.now() - started),
  });
  if (ids.length < 2) return done({ status: 'finite', detail: 'text too short to check' });
  let got: number[];
  try {
    got = await llamaNextTokenLogProbs(model, ids);
  } catch (e) {
    return done({ status: 'failed', detail: `forward pass threw: ${(e as Error).message}` });
  }
  const bad = got.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    return done({ status: 'failed', detail: `log-probability at position ${bad} is ${got[bad]} (not finite)` });
  if (!ref) return done({ status: 'finite', detail: `no reference next to ${basename(file)}; outputs finite` });
  let maxDiff = 0;
  let worst = 0;
  got.forEach((v, i) => {
    const d = Math.abs(v - ref.logProbs[i]);
    if (d > maxDiff) [maxDiff, worst] = [d, i];
  });
  const meanDiff = got.reduce((sum, v, i) => sum + Math.abs(v - ref.logProbs[i]), 0) / got.length;
  const { tolerance } = ref;
  const ok = maxDiff <= tolerance.max && meanDiff <= tolerance.mean;
  const detail = `|Δ log p| vs reference: mean ${meanDiff.toFixed(3)} (≤ ${tolerance.mean}), max ${maxDiff.toFixed(3)} at position ${worst} (≤ ${tolerance.max}) over ${got.length} tokens`;
  return done({ status: ok ? 'passed' : 'failed', maxDiff, meanDiff, tolerance, detail });
}
