import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHearth, type Hearth, loadConfig } from '@hearth/core';
import type { Caller } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the local-model area's GGUF writer and tiny-model helper: the test writes its own small GGUF file
import { writeLlamaGguf } from '../../packages/core/src/local-models/gguf/llama-gguf.js';
import { tinyModel } from '../../packages/core/test/local-models/helpers.js';

const caller: Caller = { surface: 'test', userId: 'ada', roles: [], isAdmin: false };
const conversation = { surface: 'test' as const, sessionId: 'gguf-e2e' };

/**
 * End to end through a GGUF model on node-llama-cpp: the full runtime with `gguf:<file>` as the
 * chat model (a tiny llama with fixed random weights, so the words are noise but the path is
 * real), over two turns with streaming and history persisted in SQLite.
 */
describe('multi-turn conversation through a GGUF model (node-llama-cpp)', () => {
  let hearth: Hearth;
  let dir: string;
  let modelPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-gguf-e2e-'));
    const { model, tokenizer } = await tinyModel(7);
    modelPath = join(dir, 'tiny.gguf');
    writeLlamaGguf(modelPath, { ...model.config }, tokenizer, model.exportWeights(), 'q8_0');
    model.dispose();
    // a short persona file keeps the tiny model's answers (and the test) short
    mkdirSync(join(dir, 'personas'));
    writeFileSync(
      join(dir, 'personas', 'brief.md'),
      '---\nname: brief\ntemperature: 0\nmaxTokens: 24\n---\nAnswer briefly.\n',
    );
    const config = await loadConfig({
      cwd: dir,
      env: {},
      overrides: {
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        models: { chat: `gguf:${modelPath}` },
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false },
        engine: {
          persona: 'brief',
          personasDir: join(dir, 'personas'),
          retrieveK: 0,
          historyTokens: 200,
          maxToolSteps: 0,
        },
      },
    });
    hearth = await createHearth({ config, skipPlugins: true });
  });

  afterAll(async () => {
    await hearth?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams two turns and carries the first into the second prompt', async () => {
    const streamed: string[] = [];
    const first = await hearth.engine.turn({
      conversation,
      caller,
      text: 'Tell me about the jury.',
      onToken: (t) => void streamed.push(t),
    });
    expect(first.model).toBe(`gguf:${modelPath}`);
    expect(first.text.length).toBeGreaterThan(0);
    // a GGUF model's draft reaches the surface as verified sentences (or the passage that replaced it)
    expect(streamed.length).toBeGreaterThanOrEqual(1);
    expect(streamed.join('').trim()).toBe(first.text);

    const prompt = await hearth.engine.previewPrompt({ conversation, caller, text: 'And the election?' });
    expect(prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(prompt[1]?.content).toBe('Tell me about the jury.');
    expect(prompt[2]?.content).toBe(first.text);

    const second = await hearth.engine.turn({ conversation, caller, text: 'And the election?' });
    expect(second.model).toBe(`gguf:${modelPath}`);
    expect(second.text.length).toBeGreaterThan(0);
  });
});
