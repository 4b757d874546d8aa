/**
 * Local models: training throughput (tfjs-wasm), decode speed and first-token latency through
 * node-llama-cpp (F32 vs Q8_0) vs tfjs KV-cache decoding, held-out perplexity of the shipped model
 * and the Q8_0 perplexity change, and a short logit-distillation run (student vs teacher).
 * Run: pnpm bench local-models
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTranscript } from '../packages/core/src/local-models/data/chat.js';
import { loadBrownCorpus } from '../packages/core/src/local-models/data/corpus.js';
import { buildGroundedTranscripts } from '../packages/core/src/local-models/data/grounded-chats.js';
import { compareModels, distillationLoss } from '../packages/core/src/local-models/distill/index.js';
import { generate } from '../packages/core/src/local-models/generate.js';
import { readLlamaGguf, writeLlamaGguf } from '../packages/core/src/local-models/gguf/llama-gguf.js';
import { PRESETS, parseLlamaConfig } from '../packages/core/src/local-models/model/config.js';
import { LlamaModel } from '../packages/core/src/local-models/model/llama.js';
import { tokenStream } from '../packages/core/src/local-models/pretrain.js';
import { Tokenizer } from '../packages/core/src/local-models/tokenizer.js';
import { exampleBatches, streamBatches } from '../packages/core/src/local-models/train/batches.js';
import { evaluate, train } from '../packages/core/src/local-models/train/loop.js';
import { createGgufChatModel } from '../packages/core/src/providers/gguf/index.js';
import { llamaRuntime } from '../packages/core/src/providers/gguf/runtime.js';
import { initTf, tf } from '../packages/ml/src/index.js';

const SHIPPED = new URL('../packages/core/assets/models/', import.meta.url).pathname;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/**
 * Median training tokens/s over `steps` timed steps (after one warm-up step), by wall clock and by
 * this process's CPU time (user + system): on a shared machine the CPU figure is the closer one to
 * an idle core.
 */
async function trainingSpeed(
  config: ReturnType<typeof parseLlamaConfig>,
  stream: Int32Array,
  steps: number,
): Promise<{ tps: number; cpuTps: number; params: number }> {
  const model = LlamaModel.create(config, 1);
  const data = streamBatches(stream, 16, 128, 1);
  const wall: number[] = [];
  const cpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  await train(model, data, {
    steps: steps + 1,
    evalEvery: 1000,
    evalBatches: 1,
    onProgress: () => {
      const now = performance.now();
      const c = process.cpuUsage(lastCpu);
      wall.push(now - last);
      cpu.push((c.user + c.system) / 1000);
      last = now;
      lastCpu = process.cpuUsage();
    },
  });
  const params = [...model.weights.values()].reduce((s, v) => s + v.size, 0);
  model.dispose();
  return {
    tps: (16 * 128) / (median(wall.slice(1)) / 1000),
    cpuTps: (16 * 128) / (median(cpu.slice(1)) / 1000),
    params,
  };
}

/** node-llama-cpp: first-token latency (prompt of `prompt` tokens) and decode tokens/s, greedy. */
async function llamaDecode(path: string, prompt: number[], tokens: number, runs: number) {
  const llama = await llamaRuntime();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const ctx = await model.createContext({ contextSize: 256, threads: 1 });
  const first: number[] = [];
  const rate: number[] = [];
  for (let r = 0; r < runs; r++) {
    const seq = ctx.getSequence();
    const t0 = performance.now();
    let t1 = 0;
    let n = 0;
    for await (const _ of seq.evaluate(prompt as never, { temperature: 0 })) {
      if (n === 0) t1 = performance.now();
      if (++n >= tokens) break;
    }
    const t2 = performance.now();
    first.push(t1 - t0);
    rate.push((n - 1) / ((t2 - t1) / 1000));
    await seq.dispose();
  }
  await ctx.dispose();
  await model.dispose();
  return { firstMs: median(first), firstP95: p95(first), tps: median(rate) };
}

/** Perplexity of held-out windows through node-llama-cpp (F32 KV cache). */
async function llamaPerplexity(path: string, windows: number[][]): Promise<number> {
  const llama = await llamaRuntime();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const ctx = await model.createContext({
    contextSize: 256,
    threads: 1,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  let nll = 0;
  let count = 0;
  for (const w of windows) {
    const seq = ctx.getSequence();
    const out = await seq.controlledEvaluate(w.map((t) => [t, { generateNext: { probabilities: true } }]) as never);
    for (let i = 0; i < w.length - 1; i++) {
      nll -= Math.log(out[i]?.next.probabilities?.get(w[i + 1] as never) ?? 1e-9);
      count++;
    }
    await seq.dispose();
  }
  await ctx.dispose();
  await model.dispose();
  return Math.exp(nll / count);
}

/** Grounded answering on held-out seeded prompts: exact answers and correct citation numbers. */
async function groundedAccuracy(path: string, count: number) {
  const chat = await createGgufChatModel({ path, threads: 1 });
  let exact = 0;
  let cited = 0;
  const examples: string[] = [];
  try {
    for (const t of buildGroundedTranscripts(count, 999)) {
      const expected = t.messages[2].content;
      const r = await chat.chat({ messages: t.messages.slice(0, 2), temperature: 0, maxTokens: 48 });
      const answer = r.text.trim();
      if (answer === expected) exact++;
      const want = expected.match(/\[(\d)\]$/)?.[1];
      if ((want && answer.endsWith(`[${want}]`)) || (!want && answer === expected)) cited++;
      if (examples.length < 3) examples.push(`- Q: ${t.messages[1].content} | expected: ${expected} | got: ${answer}`);
    }
  } finally {
    await chat.close?.();
  }
  return { exact: exact / count, cited: cited / count, examples };
}

export async function run(): Promise<string> {
  await initTf();
  const lines: string[] = ['## local-models', ''];
  lines.push(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on this 2-core machine (shared; all figures are wall-clock).`,
    '',
  );
  const docs = loadBrownCorpus(40);

  // 1. Training throughput.
  const refTok = Tokenizer.fromGpt2(253); // 256 + 253 + 3 = 512 tokens: the 0.48M-param reference
  const ref = await trainingSpeed(
    parseLlamaConfig({ ...PRESETS.reference, vocabSize: refTok.vocabSize }),
    tokenStream(refTok, docs),
    4,
  );
  const shipTok = Tokenizer.fromGpt2(1000);
  const ship = await trainingSpeed(
    parseLlamaConfig({ ...PRESETS.shipped, vocabSize: shipTok.vocabSize }),
    tokenStream(shipTok, docs),
    3,
  );
  lines.push('### Training throughput (batch 16 x 128 tokens, Adam, tfjs-wasm, custom gradients, median step)', '');
  lines.push('| config | params | tokens/s (wall) | vs STACK baseline 1,800 tokens/s |', '| --- | --- | --- | --- |');
  lines.push(
    `| reference (2 layers, d=128, vocab 512) | ${ref.params.toLocaleString()} | ${ref.tps.toFixed(0)} | ${(ref.tps / 1800).toFixed(2)}x |`,
  );
  lines.push(
    `| shipped (3 layers, d=96, vocab 1259) | ${ship.params.toLocaleString()} | ${ship.tps.toFixed(0)} | - |`,
    '',
  );

  const q8 = join(SHIPPED, 'hearth-local-q8_0.gguf');
  const f32 = join(SHIPPED, 'hearth-local-f32.gguf');
  if (!existsSync(q8) || !existsSync(f32)) {
    lines.push('Shipped model missing: decode, perplexity and distillation sections skipped (run build-shipped.ts).');
    return lines.join('\n');
  }
  const shipped = readLlamaGguf(f32);
  const tok = shipped.tokenizer;
  const heldOut = tokenStream(tok, loadBrownCorpus().slice(-20)); // the tail of the corpus is the held-out split
  const windows = Array.from({ length: 8 }, (_, i) => Array.from(heldOut.subarray(i * 4000, i * 4000 + 128)));

  // 2. Decode speed.
  const prompt = tok.encode('The jury said that the election was');
  const dF32 = await llamaDecode(f32, prompt, 128, 5);
  const dQ8 = await llamaDecode(q8, prompt, 128, 5);
  const tmp = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const f16 = join(tmp, 'f16.gguf');
  writeLlamaGguf(f16, shipped.config, tok, shipped.weights, 'f16');
  const _dF16 = await llamaDecode(f16, prompt, 128, 5);
  const model = LlamaModel.fromWeights(shipped.config, shipped.weights);
  const tfRuns: number[] = [];
  const tfFirst: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let t1 = 0;
    let n = 0;
    generate(model, prompt, {
      maxTokens: 64,
      onToken: () => {
        if (n++ === 0) t1 = performance.now();
      },
    });
    tfFirst.push(t1 - t0);
    tfRuns.push((n - 1) / ((performance.now() - t1) / 1000));
  }
  lines.push(
    '### Decoding the shipped model (greedy, 1 thread, prompt of 8 tokens, median of 5 runs; tfjs: 3 runs of 64 tokens)',
    '',
  );
  lines.push('| runtime | file size | decode tokens/s | first token ms (median / p95) |', '| --- | --- | --- | --- |');
  lines.push(
    `| node-llama-cpp F32 | ${(statSync(f32).size / 1e6).toFixed(2)} MB | ${dF32.tps.toFixed(0)} | ${dF32.firstMs.toFixed(1)} / ${dF32.firstP95.toFixed(1)} |`,
  );
  lines.push(
    `| node-llama-cpp Q8_0 | ${(statSync(q8).size / 1e6).toFixed(2)} MB | ${dQ8.tps.toFixed(0)} | ${dQ8.firstMs.toFixed(1)} / ${dQ8.firstP95.toFixed(1)} |`,
  );
  lines.push(`| tfjs-wasm KV cache | - | ${median(tfRuns).toFixed(0)} | ${median(tfFirst).toFixed(1)} |`);
  lines.push('', `Q8_0 decodes ${(dQ8.tps / median(tfRuns)).toFixed(1)}x faster than tfjs.`, '');

  // 3. Held-out perplexity (Brown Corpus tail, 8 windows of 128 tokens).
  const pF32 = await llamaPerplexity(f32, windows);
  const pQ8 = await llamaPerplexity(q8, windows);
  const pF16 = await llamaPerplexity(f16, windows);
  rmSync(tmp, { recursive: true, force: true });
  const tfPpl = Math.exp(
    evaluate(
      model,
      windows.map((w) => ({
        inputs: Int32Array.from(w.slice(0, -1)),
        targets: Int32Array.from(w.slice(1)),
        weights: new Float32Array(127).fill(1),
        batchSize: 1,
        seqLen: 127,
      })),
    ),
  );
  lines.push('### Held-out perplexity of the shipped model (Brown Corpus tail, 8 x 128 tokens)', '');
  lines.push('| weights | perplexity |', '| --- | --- |');
  lines.push(
    `| tfjs F32 | ${tfPpl.toFixed(2)} |`,
    `| node-llama-cpp F32 | ${pF32.toFixed(2)} |`,
    `| node-llama-cpp F16 | ${pF16.toFixed(2)} (${(((pF16 - pF32) / pF32) * 100).toFixed(2)}%) |`,
    `| node-llama-cpp Q8_0 | ${pQ8.toFixed(2)} (${(((pQ8 - pF32) / pF32) * 100).toFixed(2)}%) |`,
    '',
  );

  // 4. Grounded answering (the task the shipped model was fine-tuned for), held-out seed.
  const g = await groundedAccuracy(q8, 40);
  lines.push('### Grounded answers of the shipped Q8_0 model (40 held-out prompts, seed 999, greedy)', '');
  lines.push(
    `Exact answer: ${(g.exact * 100).toFixed(0)}%; right citation (or right refusal): ${(g.cited * 100).toFixed(0)}%. Examples:`,
    '',
    ...g.examples,
    '',
  );

  // 5. Logit distillation: shipped model (teacher) -> 1-layer d=32 student, on grounded transcripts.
  const chats = buildGroundedTranscripts(200, 3).map((t) => encodeTranscript(tok, t));
  const data = exampleBatches(chats, 4, 192, 3, tok.eos);
  const student = LlamaModel.create(
    parseLlamaConfig({ ...PRESETS.tiny, contextLength: 256, vocabSize: tok.vocabSize }),
    3,
  );
  const steps = Number(process.env.HEARTH_BENCH_DISTILL_STEPS ?? 60);
  await train(student, data, {
    steps,
    learningRate: 1e-2,
    evalEvery: 1000,
    evalBatches: 1,
    loss: distillationLoss(model, 2, 0.5),
  });
  const report = compareModels(model, student, data.validation(4));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  writeLlamaGguf(join(dir, 's.gguf'), student.config, tok, student.exportWeights(), 'q8_0');
  const dStudent = await llamaDecode(join(dir, 's.gguf'), prompt, 128, 5);
  rmSync(dir, { recursive: true, force: true });
  lines.push(
    `### Logit distillation (teacher: shipped model; student: 1 layer, d=32; ${steps} steps of 4 grounded transcripts, T=2, alpha=0.5)`,
    '',
  );
  lines.push(
    '| model | params | perplexity on held-out assistant tokens | Q8_0 decode tokens/s | first token ms |',
    '| --- | --- | --- | --- | --- |',
  );
  lines.push(
    `| teacher | ${report.teacherParameters.toLocaleString()} | ${report.teacherPerplexity.toFixed(2)} | ${dQ8.tps.toFixed(0)} | ${dQ8.firstMs.toFixed(1)} |`,
  );
  lines.push(
    `| student | ${report.studentParameters.toLocaleString()} | ${report.studentPerplexity.toFixed(2)} | ${dStudent.tps.toFixed(0)} | ${dStudent.firstMs.toFixed(1)} |`,
  );
  lines.push(
    '',
    `Top-1 next-token agreement with the teacher: ${(report.top1Agreement * 100).toFixed(1)}%. tfjs forward speed-up ${report.speedup.toFixed(1)}x; llama.cpp decode latency ratio ${(dStudent.tps / dQ8.tps).toFixed(2)}x.`,
    '',
  );
  model.dispose();
  student.dispose();
  tf.disposeVariables();
  return lines.join('\n');
}
