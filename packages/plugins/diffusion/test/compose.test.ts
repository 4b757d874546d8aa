import { initTf, tf } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import { parseScene, renderScene, SCENE_SIZE, type SceneSpec } from '../src/data/scenes.js';
import { COMPOSERS, sampleScenes } from '../src/diffusion/compose.js';
import { cosineAlphaBar } from '../src/diffusion/schedule.js';
import { tokenize, VOCABULARY, type Word } from '../src/model/text.js';
import type { UNet } from '../src/model/unet.js';

const PX = SCENE_SIZE * SCENE_SIZE * 3;

/**
 * A noise predictor that knows the data exactly: for each prompt it predicts the noise that leads
 * to that prompt's rendering (padding: a black image). What it returns for a prompt is what the
 * composers asked it for, so the tests check which prompts they ask and where they put the results.
 */
function oracle(): UNet {
  const alphaBar = cosineAlphaBar();
  const maxTokens = 8;
  return {
    config: { size: SCENE_SIZE, channels: 3, maxTokens },
    predict: (x: tf.Tensor4D, t: number[], tokens: Int32Array) => {
      const n = x.shape[0];
      const target = new Float32Array(n * PX).fill(-1);
      for (let i = 0; i < n; i++) {
        const words = [...tokens.subarray(i * maxTokens, (i + 1) * maxTokens)]
          .filter((id) => id > 0)
          .map((id) => VOCABULARY[id] as Word);
        if (words.length === 0) continue;
        // No jitter: rand() = 0.5 places every shape at its nominal centre.
        renderScene(parseScene(words) as SceneSpec, () => 0.5, target, i * PX);
      }
      const a = alphaBar[t[0]!]!;
      const x0 = tf.tensor4d(target, [n, SCENE_SIZE, SCENE_SIZE, 3]);
      return tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(a))), Math.sqrt(1 - a)) as tf.Tensor4D;
    },
  } as unknown as UNet;
}

/** Red and blue pixels in the image's first and second half (top/bottom or left/right). */
function halves(img: Float32Array, vertical: boolean) {
  const sum = { first: [0, 0], second: [0, 0] };
  for (let y = 0; y < SCENE_SIZE; y++) {
    for (let x = 0; x < SCENE_SIZE; x++) {
      const half = (vertical ? y : x) < SCENE_SIZE / 2 ? sum.first : sum.second;
      const i = (y * SCENE_SIZE + x) * 3;
      if (img[i]! > 0.5 && img[i + 2]! < 0) half[0]!++;
      if (img[i + 2]! > 0.5 && img[i]! < 0) half[1]!++;
    }
  }
  return sum;
}

const spec = (prompt: string) => parseScene(tokenize(prompt).words) as SceneSpec;

describe('compositional scene sampling', () => {
  it.each(COMPOSERS)('%s puts each object in the half its relation names', async (composer) => {
    await initTf();
    const specs = [
      spec('a big red circle above a big blue square'),
      spec('a big red circle right of a big blue square'),
    ];
    const out = await sampleScenes(oracle(), specs, { steps: 10, guidance: 1, seed: 1, composer });
    const above = halves(out.subarray(0, PX), true);
    expect(above.first[0]).toBeGreaterThan(10);
    expect(above.second[0]).toBe(0); // red only on top
    expect(above.second[1]).toBeGreaterThan(10);
    expect(above.first[1]).toBe(0); // blue only below
    const rightOf = halves(out.subarray(PX, 2 * PX), false);
    expect(rightOf.second[0]).toBeGreaterThan(10);
    expect(rightOf.first[0]).toBe(0);
    expect(rightOf.first[1]).toBeGreaterThan(10);
    expect(rightOf.second[1]).toBe(0);
  });

  it('layout draws a positioned single at the two-object size, where asked', async () => {
    await initTf();
    const out = await sampleScenes(oracle(), [spec('a big red square on the left')], {
      steps: 10,
      guidance: 1,
      seed: 1,
      composer: 'layout',
    });
    const real = new Float32Array(PX);
    renderScene(spec('a big red square on the left'), () => 0.5, real, 0);
    const sides = halves(out, false);
    expect(sides.second[0]).toBe(0);
    const area = halves(real, false).first[0]!;
    expect(Math.abs(sides.first[0]! - area)).toBeLessThan(area * 0.25);
  });

  it('keeps sampling deterministic for a seed', async () => {
    await initTf();
    const specs = [spec('a small green triangle below a yellow circle')];
    const o = { steps: 5, guidance: 3, seed: 9, composer: 'regions' as const };
    expect(await sampleScenes(oracle(), specs, o)).toEqual(await sampleScenes(oracle(), specs, o));
  });
});

describe('the shipped scenes model, composed', () => {
  it('draws "a big red circle above a blue square" with the red shape on top and the blue one below', async () => {
    // Before: the whole prompt as one condition gave a red blob beside a blue blob.
    const { localModel } = await import('../src/local.js');
    const model = await localModel('scenes');
    const prompt = spec('a big red circle above a blue square');
    const out = await sampleScenes(model.model, [prompt, prompt, prompt, prompt], {
      steps: 20,
      guidance: 3,
      seed: 4,
      composer: 'layout',
    });
    for (let i = 0; i < 4; i++) {
      const h = halves(out.subarray(i * PX, (i + 1) * PX), true);
      expect(h.first[0], `image ${i}: red on top`).toBeGreaterThan(h.second[0]!);
      expect(h.second[1], `image ${i}: blue below`).toBeGreaterThan(h.first[1]!);
    }
  });
});
