import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterStore } from '../../src/local-models/adapter-store.js';
import { trainAdapter } from '../../src/local-models/adapters.js';
import { loadModelFolder, saveModelFolder } from '../../src/local-models/artifacts.js';
import { encodeTranscript } from '../../src/local-models/data/chat.js';
import { buildGroundedTranscripts } from '../../src/local-models/data/grounded-chats.js';
import { answerF1, distillLogits, distillSequences } from '../../src/local-models/distill/index.js';
import { decodeGguf } from '../../src/local-models/gguf/format.js';
import { writeLlamaGguf } from '../../src/local-models/gguf/llama-gguf.js';
import { LlamaModel } from '../../src/local-models/model/llama.js';
import { exampleBatches } from '../../src/local-models/train/batches.js';
import { createGgufChatModel } from '../../src/providers/gguf/index.js';
import { tempDir, tfjsLogProbs, tinyModel } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function baseFolder() {
  const dir = tempDir('lora-base');
  dirs.push(dir);
  const { model, tokenizer } = await tinyModel(8);
  saveModelFolder(dir, { ...model.config, contextLength: 128 }, tokenizer, model.exportWeights());
  model.dispose();
  const chats = join(dir, 'chats.jsonl');
  writeFileSync(
    chats,
    buildGroundedTranscripts(12, 2)
      .map((t) => JSON.stringify(t))
      .join('\n'),
  );
  return { dir, chats };
}

describe('LoRA adapters and distillation', () => {
  it('adapter training changes only the LoRA matrices: base weights are bit-identical afterwards', async () => {
    const { dir, chats } = await baseFolder();
    const before = readFileSync(join(dir, 'model.safetensors'));
    const out = join(dir, 'adapters', 'style.gguf');
    const r = await trainAdapter({
      baseDir: dir,
      dataPath: chats,
      outPath: out,
      lora: { rank: 2, alpha: 4, targets: ['attn_q', 'attn_v'], layers: [1] },
      steps: 4,
      batchSize: 2,
      seqLen: 96,
      learningRate: 2e-2,
    });
    expect(readFileSync(join(dir, 'model.safetensors')).equals(before)).toBe(true);
    expect(r.loraParameters).toBe(2 * (32 * 2 + 2 * 32));
    const gguf = decodeGguf(readFileSync(out));
    expect(gguf.metadata['general.type']).toBe('adapter');
    expect(gguf.tensors.map((t) => t.name).sort()).toEqual([
      'blk.1.attn_q.weight.lora_a',
      'blk.1.attn_q.weight.lora_b',
      'blk.1.attn_v.weight.lora_a',
      'blk.1.attn_v.weight.lora_b',
    ]);
    const store = new AdapterStore(dir);
    expect(store.list().map((a) => a.name)).toEqual(['style']);
    store.use('style', '123');
    expect(store.resolve('123')).toBe('style');
    expect(store.resolve('456')).toBeUndefined();
    expect(() => store.use('missing')).toThrow(/no adapter "missing"/);
    expect(() => store.pathOf('../x')).toThrow(/must be 1-64/);
  });

  it('an attached LoRA changes outputs only after training moves B away from zero', async () => {
    const { model } = await tinyModel(9);
    const ids = [5, 6, 7, 8];
    const plain = tfjsLogProbs(model, ids);
    model.attachLora({ rank: 2, alpha: 4, targets: ['ffn_up'] }, 1);
    expect(tfjsLogProbs(model, ids)).toEqual(plain); // B = 0 at start
    model.dispose();
  });

  it('logit-level distillation trains a smaller student and reports agreement', async () => {
    const { dir } = await baseFolder();
    const teacher = loadModelFolder(dir);
    const data = exampleBatches(
      buildGroundedTranscripts(10, 4).map((t) => encodeTranscript(teacher.tokenizer, t)),
      2,
      96,
      1,
      teacher.tokenizer.eos,
    );
    const out = join(dir, 'student');
    const r = await distillLogits({
      teacherDir: dir,
      student: { dim: 32, layers: 1, heads: 1, ffnDim: 32, contextLength: 128 },
      data,
      outDir: out,
      steps: 3,
    });
    expect(r.report.studentParameters).toBeLessThan(r.report.teacherParameters);
    expect(r.report.top1Agreement).toBeGreaterThanOrEqual(0);
    expect(r.report.top1Agreement).toBeLessThanOrEqual(1);
    expect(loadModelFolder(out).config.layers).toBe(1);
  });

  it('sequence-level distillation learns from any ChatModel teacher (here the gguf provider)', async () => {
    const { dir } = await baseFolder();
    const f = loadModelFolder(dir);
    const ggufPath = join(dir, 'teacher.gguf');
    writeLlamaGguf(ggufPath, f.config, f.tokenizer, f.weights, 'q8_0');
    const teacher = await createGgufChatModel({ path: ggufPath, contextSize: 96 }); // shorter than the prompts: the provider must trim them
    try {
      const prompts = buildGroundedTranscripts(4, 5).map((t) => t.messages.slice(0, 2));
      const r = await distillSequences({
        teacher,
        prompts,
        studentDir: dir,
        outDir: join(dir, 'seq'),
        steps: 2,
        batchSize: 2,
        seqLen: 128,
        maxTokens: 8,
      });
      expect(r.transcripts).toHaveLength(4);
      expect(r.transcripts[0].messages.at(-1)?.role).toBe('assistant');
      expect(LlamaModel).toBeDefined();
    } finally {
      await teacher.close?.();
    }
    expect(answerF1('the cat sat', 'the cat sat')).toBe(1);
    expect(answerF1('a b', 'c d')).toBe(0);
  });
});
