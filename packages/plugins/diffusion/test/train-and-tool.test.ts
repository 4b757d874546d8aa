import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@hearth/ml/image';
import { createTestHost } from '@hearth/sdk/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDiffusionPlugin } from '../src/index.js';
import { LocalImageModel } from '../src/local.js';
import { train } from '../src/train.js';

// Tiny configs: the point is that training, saving, loading and the tool's local path work end
// to end on tfjs-wasm with the custom conv gradients, not image quality.
const tiny = { base: 8, embedDim: 16, groups: 4 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-diffusion-'));
  for (const dataset of ['digits', 'scenes'] as const) {
    await train({
      dataset,
      steps: 4,
      batch: 4,
      seed: 3,
      learningRate: 2e-3,
      out: join(dir, dataset),
      checkpointEvery: 4,
      config: tiny,
      gridColumns: 2,
      gridSteps: 2,
    });
  }
});

describe('training', () => {
  it('writes weights with their reproducing command and a PNG sample grid per checkpoint', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'scenes.json'), 'utf8'));
    expect(manifest.config).toMatchObject({ size: 16, channels: 3, base: 8 });
    expect(manifest.training.command).toContain('--dataset scenes --steps 4 --batch 4 --seed 3');
    expect(Number.isFinite(manifest.training.loss)).toBe(true);
    const grid = decodePng(readFileSync(join(dir, 'scenes-step4.png')));
    // 8 prompts x 2 columns of 64-pixel images with 2-pixel gaps.
    expect([grid.width, grid.height]).toEqual([2 * 64 + 2, 8 * 64 + 7 * 2]);
  });

  it('is reproducible from its seed', async () => {
    const again = join(dir, 'again');
    await train({
      dataset: 'digits',
      steps: 4,
      batch: 4,
      seed: 3,
      learningRate: 2e-3,
      out: again,
      checkpointEvery: 4,
      config: tiny,
      gridColumns: 1,
      gridSteps: 1,
    });
    expect(readFileSync(`${again}.bin`).equals(readFileSync(join(dir, 'digits.bin')))).toBe(true);
  });

  it('loads weights and samples reproducibly per seed', async () => {
    const model = await LocalImageModel.load(join(dir, 'digits'));
    const a = await model.generate({ words: ['seven'], count: 2, steps: 3, guidance: 2, seed: 11 });
    const b = await model.generate({ words: ['seven'], count: 2, steps: 3, guidance: 2, seed: 11 });
    const c = await model.generate({ words: ['seven'], count: 2, steps: 3, guidance: 2, seed: 12 });
    expect(a[0].data).toEqual(b[0].data);
    expect(a[0].data).not.toEqual(c[0].data);
    model.dispose();
  });
});

describe('imagine tool, local backend', () => {
  it('returns an upscaled PNG grid with alt text, reports each denoising step and names unknown words', async () => {
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: dir }), { timeoutMs: 30_000 });
    const call = await host.call('imagine', {
      prompt: 'a shiny red circle above a blue square',
      count: 4,
      steps: 5,
      size: 64,
      seed: 1,
    });
    expect(call.error).toBeUndefined();
    const [text, image] = call.result!.content;
    expect(text).toMatchObject({ type: 'text', text: expect.stringContaining('"shiny"') });
    expect(image).toMatchObject({
      type: 'image',
      alt: expect.stringContaining('a shiny red circle above a blue square'),
    });
    const png = decodePng((image as { data: Uint8Array }).data);
    expect([png.width, png.height]).toEqual([2 * 64 + 4, 2 * 64 + 4]);
    expect(call.result!.data).toMatchObject({
      backend: 'local',
      model: 'hearth-scenes',
      seed: 1,
      unknown_words: ['shiny'],
    });
    expect(call.progress.filter((p) => p.message?.startsWith('denoising')).map((p) => p.fraction)).toEqual([
      0, 0.2, 0.4, 0.6, 0.8, 1,
    ]);
  });

  it('stops sampling when cancelled', async () => {
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: dir }), { timeoutMs: 30_000 });
    const ac = new AbortController();
    const started = host.call(
      'imagine',
      { prompt: 'the digit 4', steps: 50, count: 16, seed: 2 },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort('user pressed stop'), 50);
    const call = await started;
    expect(call.error?.message).toMatch(/cancelled: user pressed stop/);
  });

  it('rejects bad input with clear messages', async () => {
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: dir }));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ prompt: '   ' }, /prompt is empty/],
      [{ prompt: 'x'.repeat(201) }, /too long/],
      [{ prompt: 'the digit 1', steps: 0 }, /steps/],
      [{ prompt: 'the digit 1', steps: 500 }, /steps/],
      [{ prompt: 'the digit 1', size: 2048 }, /size/],
      [{ prompt: 'the digit 1', size: 100 }, /size.*multiple of 16/],
      [{ prompt: 'the digit 1', count: 17 }, /count/],
      [{ prompt: 'a cat on a sofa' }, /"cat", "sofa"/],
      [{ prompt: 'the digit 1', backend: 'remote' }, /image model configured/],
    ];
    for (const [input, message] of cases) {
      const call = await host.call('imagine', input);
      expect(call.error?.message, JSON.stringify(input)).toMatch(message);
    }
  });
});

describe('object model', () => {
  it('fine-tunes from the scenes weights and then draws the objects of scene prompts in the tool', async () => {
    const objDir = await mkdtemp(join(tmpdir(), 'hearth-diffusion-objects-'));
    for (const file of ['scenes.json', 'scenes.bin']) await cp(join(dir, file), join(objDir, file));
    await train({
      dataset: 'objects',
      steps: 2,
      batch: 2,
      seed: 3,
      learningRate: 1e-3,
      out: join(objDir, 'objects'),
      checkpointEvery: 2,
      init: join(dir, 'scenes'),
      gridColumns: 1,
      gridSteps: 1,
    });
    const manifest = JSON.parse(readFileSync(join(objDir, 'objects.json'), 'utf8'));
    const scenes = JSON.parse(readFileSync(join(dir, 'scenes.json'), 'utf8'));
    expect(manifest.dataset).toBe('objects');
    expect(manifest.config).toEqual(scenes.config); // the shape comes from the starting weights
    expect(manifest.training.command).toContain(`--dataset objects --steps 2 --batch 2 --seed 3`);
    expect(manifest.training.command).toContain(`--init ${join(dir, 'scenes')}`);
    expect(manifest.training.init).toBe(scenes.training.command);
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: objDir }), { timeoutMs: 30_000 });
    const call = await host.call('imagine', {
      prompt: 'a red circle above a blue square',
      steps: 2,
      size: 32,
      seed: 1,
    });
    expect(call.error).toBeUndefined();
    expect(call.result!.data).toMatchObject({ backend: 'local', model: 'hearth-scenes+objects' });
    // Without an object model next to the scenes weights, the scenes model draws alone.
    const plain = await createTestHost(createDiffusionPlugin({ weightsDir: dir }), { timeoutMs: 30_000 });
    const alone = await plain.call('imagine', { prompt: 'a red circle above a blue square', steps: 2, size: 32 });
    expect(alone.result!.data).toMatchObject({ model: 'hearth-scenes' });
  });
});

describe('imagine tool, remote backend', () => {
  it('passes prompt, negative prompt, steps, guidance, size and seeds to ctx.models.textToImage and grids the results', async () => {
    const model = await LocalImageModel.load(join(dir, 'digits'));
    const { encodePng, upscaleNearest } = await import('@hearth/ml/image');
    const pngBytes = encodePng(
      upscaleNearest((await model.generate({ words: ['one'], count: 1, steps: 1, guidance: 1, seed: 1 }))[0], 2),
    );
    const seen: unknown[] = [];
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: dir }), {
      models: { textToImage: (o) => (seen.push({ ...o, signal: undefined }), pngBytes) },
    });
    const call = await host.call('imagine', {
      prompt: 'a lighthouse at dusk',
      negative_prompt: 'blurry',
      steps: 8,
      guidance: 5,
      size: 512,
      seed: 40,
      count: 2,
    });
    expect(call.error).toBeUndefined();
    expect(seen).toEqual(
      [0, 1].map((i) => ({
        prompt: 'a lighthouse at dusk',
        negativePrompt: 'blurry',
        width: 512,
        height: 512,
        steps: 8,
        guidance: 5,
        seed: 40 + i,
        signal: undefined,
      })),
    );
    expect(call.result!.data).toMatchObject({ backend: 'remote', count: 2 });
    const grid = decodePng((call.result!.content[1] as { data: Uint8Array }).data);
    expect([grid.width, grid.height]).toEqual([2 * 32 + 4, 32]);
    // backend "local" overrides a configured remote model.
    const local = await host.call('imagine', { prompt: 'the digit 5', backend: 'local', steps: 2, size: 32 });
    expect(local.result!.data).toMatchObject({ backend: 'local', model: 'hearth-digits' });
    expect(seen).toHaveLength(2);
  });

  it('uses the local model when image permission is not granted', async () => {
    const host = await createTestHost(createDiffusionPlugin({ weightsDir: dir }), {
      grant: [],
      models: { textToImage: () => new Uint8Array() },
    });
    const call = await host.call('imagine', { prompt: 'the digit 5', steps: 2, size: 32 });
    expect(call.result!.data).toMatchObject({ backend: 'local' });
  });
});

describe.skipIf(!existsSync(new URL('../assets/digits.json', import.meta.url)))('shipped weights', () => {
  it('load and draw with the default plugin', async () => {
    const { plugin } = await import('../src/index.js');
    const host = await createTestHost(plugin, { timeoutMs: 30_000 });
    const call = await host.call('imagine', { prompt: 'the digit 3', steps: 4, seed: 5 });
    expect(call.result!.data).toMatchObject({ backend: 'local', model: 'hearth-digits', seed: 5 });
  });
});
