import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@hearth/ml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../src/local-models/artifacts.js';
import { encodeTranscript } from '../../src/local-models/data/chat.js';
import { brownToText } from '../../src/local-models/data/corpus.js';
import { buildGroundedTranscripts } from '../../src/local-models/data/grounded-chats.js';
import { PRESETS, parseLlamaConfig } from '../../src/local-models/model/config.js';
import { LlamaModel } from '../../src/local-models/model/llama.js';
import { finetune, pretrain, tokenStream } from '../../src/local-models/pretrain.js';
import { Tokenizer } from '../../src/local-models/tokenizer.js';
import { exampleBatches, streamBatches } from '../../src/local-models/train/batches.js';
import { train } from '../../src/local-models/train/loop.js';
import { readSafetensors } from '../../src/local-models/train/safetensors.js';
import { TEXT, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('training a tiny llama model', () => {
  it('pretrains: loss falls, checkpoint, metrics and PNG loss curve are written', async () => {
    const out = tempDir('pretrain');
    dirs.push(out);
    const progress: number[] = [];
    const r = await pretrain({
      outDir: out,
      preset: 'tiny',
      merges: 100,
      documents: Array.from({ length: 40 }, () => TEXT),
      steps: 30,
      batchSize: 4,
      seqLen: 32,
      learningRate: 1e-2,
      evalEvery: 10,
      onProgress: (p) => progress.push(p.tokensPerSecond),
    });
    expect(r.history.train[0].loss).toBeGreaterThan(r.trainLoss + 1);
    expect(r.valPerplexity).toBeCloseTo(Math.exp(r.valLoss), 6);
    expect(progress).toHaveLength(30);
    expect(progress.every((t) => t > 0)).toBe(true);
    expect(readFileSync(join(out, 'loss.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).step).toBe(30);
    const folder = loadModelFolder(out);
    expect(folder.config.vocabSize).toBe(256 + 100 + 3);
  });

  it('resumes from a checkpoint to exactly the weights of an unbroken run', async () => {
    const tok = Tokenizer.fromGpt2(100);
    const config = parseLlamaConfig({ ...PRESETS.tiny, vocabSize: tok.vocabSize });
    const stream = tokenStream(
      tok,
      Array.from({ length: 30 }, () => TEXT),
    );
    const run = async (dir: string, steps: number) => {
      const m = LlamaModel.create(config, 5);
      await train(m, streamBatches(stream, 2, 16, 9), {
        steps,
        outDir: dir,
        evalEvery: 100,
        learningRate: 5e-3,
        warmupSteps: 2,
      });
      const w = m.exportWeights();
      m.dispose();
      return w;
    };
    const a = tempDir('resume-a');
    const b = tempDir('resume-b');
    dirs.push(a, b);
    const straight = await run(a, 6);
    await run(b, 3);
    expect(Number(readSafetensors(join(b, 'checkpoint.safetensors')).metadata.step)).toBe(3);
    const resumed = await run(b, 6);
    for (const name of Object.keys(straight))
      expect(Array.from(resumed[name].data)).toEqual(Array.from(straight[name].data));
  });

  it('fine-tunes on chat transcripts, learning only assistant tokens', async () => {
    const base = tempDir('ft-base');
    const out = tempDir('ft-out');
    dirs.push(base, out);
    await pretrain({
      outDir: base,
      preset: 'tiny',
      merges: 100,
      documents: Array.from({ length: 20 }, () => TEXT),
      steps: 2,
      batchSize: 2,
      seqLen: 16,
    });
    const tok = loadModelFolder(base).tokenizer;
    const chats = buildGroundedTranscripts(12, 1);
    const ex = encodeTranscript(tok, chats[0]);
    const learned = ex.ids.filter((_, i) => ex.weights[i] === 1);
    expect(tok.decode(learned)).toBe(`${chats[0].messages[2].content}<|im_end|>`);
    const jsonl = join(out, 'chats.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(jsonl, chats.map((c) => JSON.stringify(c)).join('\n'));
    const r = await finetune({
      baseDir: base,
      outDir: out,
      dataPath: jsonl,
      steps: 3,
      batchSize: 2,
      seqLen: 64,
      evalEvery: 3,
    });
    expect(r.steps).toBe(3);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    const batches = exampleBatches([ex], 1, 8, 1, tok.eos);
    expect(batches.next().inputs.length).toBe(8);
  });

  it('turns Brown Corpus tagged text into plain sentences', () => {
    expect(brownToText("The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, Atlanta's/np$ ./.")).toBe(
      'The jury said "no evidence", Atlanta\'s.',
    );
    expect(tf.getBackend()).toBe('wasm');
  });
});
