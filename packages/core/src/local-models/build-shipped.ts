/**
 * Builds the model Hearth ships (packages/core/assets/models), seeded and resumable:
 *   1. pretrain the `shipped` preset on the Brown Corpus + the repo's docs/*.md,
 *   2. fine-tune it on seeded grounded chat transcripts (answers quoted from numbered sources),
 *   3. export Q8_0 (the default chat model) and F32 (exact weights, for parity and quantization
 *      measurements, and the fallback when Q8_0 fails its load-time self-check) GGUF files, each with
 *      its `.reference.json` (see local-models/gguf/reference.ts), plus the tokenizer.
 * Run: node --conditions=hearth-source --import tsx packages/core/src/local-models/build-shipped.ts [workDir]
 * Each stage resumes from its checkpoint in workDir, so an interrupted build picks up where it stopped.
 */
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFolder } from './artifacts.js';
import { buildGroundedTranscripts } from './data/grounded-chats.js';
import { writeLlamaGguf } from './gguf/llama-gguf.js';
import { writeModelReference } from './gguf/reference.js';
import { finetune, pretrain } from './pretrain.js';
import type { TrainProgress } from './train/loop.js';

/** The recipe, so the README and the benchmark can quote it. */
export const SHIPPED_RECIPE = {
  seed: 7,
  pretrain: {
    preset: 'shipped',
    merges: 1000,
    steps: 800,
    stopAt: 800,
    batchSize: 16,
    seqLen: 128,
    learningRate: 3e-3,
  },
  finetune: { transcripts: 600, steps: 400, batchSize: 4, seqLen: 192, learningRate: 1e-3 },
} as const;

const here = dirname(fileURLToPath(import.meta.url));
export const SHIPPED_DIR = resolve(here, '../../assets/models');

function log(stage: string) {
  return (p: TrainProgress) =>
    console.log(
      `${new Date().toISOString()} ${stage} ${p.step}/${p.steps} loss ${p.loss.toFixed(3)}${p.valLoss ? ` val ${p.valLoss.toFixed(3)}` : ''} ${p.tokensPerSecond.toFixed(0)} tok/s eta ${Math.round(p.etaSeconds)}s`,
    );
}

export async function buildShipped(workDir: string, docsDir: string): Promise<void> {
  const r = SHIPPED_RECIPE;
  const pre = join(workDir, 'shipped-pretrain');
  const ft = join(workDir, 'shipped-finetune');
  const pretrained = await pretrain({
    outDir: pre,
    preset: r.pretrain.preset,
    merges: r.pretrain.merges,
    docsDirs: [docsDir],
    steps: r.pretrain.steps,
    stopAt: r.pretrain.stopAt,
    batchSize: r.pretrain.batchSize,
    seqLen: r.pretrain.seqLen,
    learningRate: r.pretrain.learningRate,
    seed: r.seed,
    evalEvery: 50,
    evalBatches: 4,
    checkpointEvery: 25,
    onProgress: log('pretrain'),
  });
  console.log(
    `pretrain done: ${pretrained.parameters} params, val loss ${pretrained.valLoss.toFixed(3)}, ppl ${pretrained.valPerplexity.toFixed(1)}`,
  );
  mkdirSync(ft, { recursive: true });
  const chats = join(ft, 'grounded-chats.jsonl');
  writeFileSync(
    chats,
    `${buildGroundedTranscripts(r.finetune.transcripts, r.seed)
      .map((t) => JSON.stringify(t))
      .join('\n')}\n`,
  );
  const tuned = await finetune({
    baseDir: pre,
    outDir: ft,
    dataPath: chats,
    steps: r.finetune.steps,
    batchSize: r.finetune.batchSize,
    seqLen: r.finetune.seqLen,
    learningRate: r.finetune.learningRate,
    seed: r.seed,
    evalEvery: 30,
    evalBatches: 4,
    checkpointEvery: 20,
    onProgress: log('finetune'),
  });
  console.log(
    `finetune done: val loss ${tuned.valLoss.toFixed(3)} (assistant tokens), ppl ${tuned.valPerplexity.toFixed(2)}`,
  );
  const model = loadModelFolder(ft);
  mkdirSync(SHIPPED_DIR, { recursive: true });
  writeLlamaGguf(
    join(SHIPPED_DIR, 'hearth-local-q8_0.gguf'),
    model.config,
    model.tokenizer,
    model.weights,
    'q8_0',
    'hearth-local',
  );
  writeLlamaGguf(
    join(SHIPPED_DIR, 'hearth-local-f32.gguf'),
    model.config,
    model.tokenizer,
    model.weights,
    'f32',
    'hearth-local',
  );
  // Log-probabilities the runtime must reproduce at load (providers/gguf/self-check.ts).
  for (const f of ['hearth-local-q8_0.gguf', 'hearth-local-f32.gguf']) await writeModelReference(join(SHIPPED_DIR, f));
  writeFileSync(join(SHIPPED_DIR, 'tokenizer.json'), JSON.stringify(model.tokenizer.toJSON()));
  writeFileSync(join(SHIPPED_DIR, 'config.json'), `${JSON.stringify(model.config, null, 2)}\n`);
  for (const f of ['loss.png', 'metrics.json'])
    if (existsSync(join(ft, f))) copyFileSync(join(ft, f), join(SHIPPED_DIR, `finetune-${f}`));
  for (const f of ['loss.png', 'metrics.json'])
    if (existsSync(join(pre, f))) copyFileSync(join(pre, f), join(SHIPPED_DIR, `pretrain-${f}`));
  console.log(
    `wrote ${join(SHIPPED_DIR, 'hearth-local-q8_0.gguf')} (${statSync(join(SHIPPED_DIR, 'hearth-local-q8_0.gguf')).size} bytes)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const workDir = resolve(process.argv[2] ?? '/tmp/hearth-shipped');
  await buildShipped(workDir, resolve(here, '../../../../docs'));
}
