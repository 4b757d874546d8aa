import { existsSync } from 'node:fs';
import { initTf, tf } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import { objectWords, renderObject } from '../src/data/objects.js';
import { parseScene, renderScene, SCENE_SIZE, type SceneSpec } from '../src/data/scenes.js';
import { sampleScenes } from '../src/diffusion/compose.js';
import { conditionalErrors, fitScores, pickBest } from '../src/diffusion/rerank.js';
import { cosineAlphaBar } from '../src/diffusion/schedule.js';
import { parseVariant } from '../src/eval/evaluate.js';
import { localModel } from '../src/local.js';
import { encodeWords, tokenize, VOCABULARY, type Word } from '../src/model/text.js';
import type { UNet } from '../src/model/unet.js';

const PX = SCENE_SIZE * SCENE_SIZE * 3;
const spec = (prompt: string) => parseScene(tokenize(prompt).words) as SceneSpec;

/** Renders a prompt's words without jitter (padding: black). */
function rendered(words: Word[], out: Float32Array, offset: number): void {
  if (words.length) renderScene(parseScene(words) as SceneSpec, () => 0.5, out, offset);
}

/**
 * A noise predictor that knows the data exactly: under a condition it predicts the noise that
 * leads to that condition's rendering, so its error on an image is zero only under the condition
 * the image was rendered from.
 */
function oracle(): UNet {
  const alphaBar = cosineAlphaBar();
  return {
    config: { size: SCENE_SIZE, channels: 3, maxTokens: 8 },
    predict: (x: tf.Tensor4D, t: number[], tokens: Int32Array) => {
      const n = x.shape[0];
      const target = new Float32Array(n * PX).fill(-1);
      for (let i = 0; i < n; i++) {
        const ids = [...tokens.subarray(i * 8, (i + 1) * 8)].filter((id) => id > 0);
        rendered(
          ids.map((id) => VOCABULARY[id] as Word),
          target,
          i * PX,
        );
      }
      const a = alphaBar[t[0]!]!;
      const x0 = tf.tensor4d(target, [n, SCENE_SIZE, SCENE_SIZE, 3]);
      return tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(a))), Math.sqrt(1 - a)) as tf.Tensor4D;
    },
  } as unknown as UNet;
}

const rows = (...prompts: Word[][]) => {
  const out = new Int32Array(prompts.length * 8);
  prompts.forEach((w, i) => out.set(encodeWords(w, 8), i * 8));
  return out;
};

describe('reranking by conditional error', () => {
  it('scores the condition an image was drawn from lowest and picks that candidate', async () => {
    await initTf();
    // Three candidates for "red square": a circle, a square and a triangle, all red.
    const candidates = new Float32Array(3 * PX);
    (['circle', 'square', 'triangle'] as const).forEach((shape, i) => rendered(['red', shape], candidates, i * PX));
    const asked = rows(['red', 'square'], ['red', 'circle'], ['red', 'triangle']);
    const errors = conditionalErrors(oracle(), candidates, 3, [asked, asked, asked], { seed: 5 });
    // The square candidate (1) fits the asked condition exactly; the others fit an alternative.
    expect(errors[1 * 3 + 0]).toBeCloseTo(0, 4);
    expect(errors[0 * 3 + 0]).toBeGreaterThan(0.1);
    expect(errors[0 * 3 + 1]).toBeCloseTo(0, 4);
    const scores = fitScores(errors, 3);
    expect(scores[1]).toBeLessThan(0);
    expect(scores[0]).toBeGreaterThan(0);
    expect(pickBest(scores, 3)).toEqual([1]);
  });

  it('picks per group and rejects mismatched condition sets', () => {
    expect(pickBest(Float32Array.from([3, 1, 2, -1, 0, 5]), 3)).toEqual([1, 0]);
    const model = { config: { size: 2, channels: 1, maxTokens: 1 }, predict: () => tf.zeros([1, 2, 2, 1]) };
    expect(() =>
      conditionalErrors(model as unknown as UNet, new Float32Array(8), 2, [new Int32Array(2)], { seed: 1 }),
    ).toThrow(/2 condition sets/);
  });
});

describe('layout with an object model', () => {
  it('asks the object model for "colour shape" and places rendered objects as the renderer does', async () => {
    await initTf();
    const prompts = [
      'a big red circle above a small blue square',
      'a small green triangle left of a big yellow circle',
      'a small yellow square',
      'a big blue triangle on the right',
    ];
    const specs = prompts.map(spec);
    const out = await sampleScenes(oracle(), specs, {
      steps: 10,
      guidance: 1,
      seed: 1,
      composer: 'layout',
      objectModel: oracle(),
    });
    const real = new Float32Array(specs.length * PX);
    specs.forEach((s, i) => renderScene(s, () => 0.5, real, i * PX));
    for (let i = 0; i < specs.length; i++) {
      let diff = 0;
      for (let p = i * PX; p < (i + 1) * PX; p++) diff += Math.abs(out[p]! - real[p]!);
      // Mean absolute difference per channel value on a [-1, 1] scale: the shapes line up.
      expect(diff / PX, prompts[i]).toBeLessThan(0.08);
    }
  });

  it('keeps the candidate the object model itself prefers', async () => {
    await initTf();
    // An object model that draws the wrong shape for every candidate but the third; reranking
    // with its own conditional error must keep the third one.
    const exact = oracle();
    let call = 0;
    const drawer = {
      config: exact.config,
      predict: (x: tf.Tensor4D, t: number[], tokens: Int32Array) => {
        const n = x.shape[0];
        if (call++ >= 10) return exact.predict(x, t, tokens); // reranking: honest errors
        const wrong = tokens.slice();
        for (let i = 0; i < n; i++) {
          if (i % 4 === 2 || tokens[i * 8] === 0) continue;
          wrong[i * 8 + 1] = VOCABULARY.indexOf(
            tokens[i * 8 + 1] === VOCABULARY.indexOf('circle') ? 'square' : 'circle',
          );
        }
        return exact.predict(x, t, wrong);
      },
    } as unknown as UNet;
    const out = await sampleScenes(exact, [spec('a big red triangle')], {
      steps: 10,
      guidance: 1,
      seed: 1,
      composer: 'layout',
      objectModel: drawer,
      candidates: 4,
    });
    // The output is the triangle candidate: closest to a rendered red triangle, far from the others.
    const diffs = (['circle', 'square', 'triangle'] as const).map((shape) => {
      const real = new Float32Array(PX);
      renderObject({ colour: 'red', shape, size: 'big', sizeNamed: false }, () => 0.5, real, 0);
      let diff = 0;
      for (let p = 0; p < PX; p++) diff += Math.abs(out[p]! - real[p]!);
      return diff / PX;
    });
    // (Not exactly zero: the paste re-centres the ink's box, a sub-pixel shift.)
    expect(diffs[2]).toBeLessThan(0.05);
    expect(Math.min(diffs[0]!, diffs[1]!)).toBeGreaterThan(2 * diffs[2]!);
  });
});

describe('object data and scene variants', () => {
  it('renders objects exactly centred and names them by colour and shape only', () => {
    const img = new Float32Array(PX);
    let x0 = SCENE_SIZE;
    let x1 = 0;
    renderObject({ colour: 'green', shape: 'square', size: 'small', sizeNamed: true }, Math.random, img, 0);
    for (let x = 0; x < SCENE_SIZE; x++) {
      if (img[(8 * SCENE_SIZE + x) * 3 + 1]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x + 1);
      }
    }
    expect((x0 + x1) / 2).toBe(8);
    expect(x1 - x0).toBeGreaterThanOrEqual(8); // drawn big whatever the asked size
    expect(objectWords({ colour: 'green', shape: 'square' })).toEqual(['green', 'square']);
  });

  it('parses variant names and explains bad ones', () => {
    expect(parseVariant('layout+objects+rerank4')).toEqual({ composer: 'layout', objects: true, candidates: 4 });
    expect(parseVariant('whole')).toEqual({ composer: 'whole', objects: false, candidates: 1 });
    expect(() => parseVariant('layout+magic')).toThrow(/unknown scene variant "layout\+magic"/);
    expect(() => parseVariant('regions+objects')).toThrow(/layout only/);
  });
});

describe.skipIf(!existsSync(new URL('../assets/objects.json', import.meta.url)))('the shipped object model', () => {
  it('draws the asked colour, and a triangle wider at its base than at its top', async () => {
    const model = await localModel('objects');
    const asked = [
      ['red', 'circle'],
      ['green', 'square'],
      ['blue', 'triangle'],
      ['yellow', 'triangle'],
    ] as const;
    const channel = { red: [1, 0, 0], green: [0, 1, 0], blue: [0, 0, 1], yellow: [1, 1, 0] } as const;
    for (const [colour, shape] of asked) {
      const out = await model.sampleFloats({ words: [colour, shape], count: 2, steps: 20, guidance: 3, seed: 7 });
      for (let i = 0; i < 2; i++) {
        const img = out.subarray(i * PX, (i + 1) * PX);
        const mean = [0, 0, 0];
        const rowsInked: number[] = [];
        let inked = 0;
        for (let y = 0; y < SCENE_SIZE; y++) {
          let row = 0;
          for (let x = 0; x < SCENE_SIZE; x++) {
            const p = (y * SCENE_SIZE + x) * 3;
            if (Math.max(img[p]!, img[p + 1]!, img[p + 2]!) <= 0) continue;
            row++;
            inked++;
            for (let c = 0; c < 3; c++) mean[c]! += img[p + c]!;
          }
          if (row) rowsInked.push(row);
        }
        expect(inked, `${colour} ${shape} ${i}: some ink`).toBeGreaterThan(20);
        // The asked channels are bright, the others dark.
        channel[colour].forEach((on, c) => {
          if (on) expect(mean[c]! / inked, `${colour} ${shape} ${i} channel ${c}`).toBeGreaterThan(0.3);
          else expect(mean[c]! / inked, `${colour} ${shape} ${i} channel ${c}`).toBeLessThan(0);
        });
        if (shape === 'triangle') {
          // A quarter of the way down it is far narrower than three quarters down (a circle or square: as wide).
          const at = (f: number) => rowsInked[Math.floor(f * rowsInked.length)]!;
          expect(at(0.25), `${colour} triangle ${i}: ${rowsInked.join(' ')}`).toBeLessThan(0.7 * at(0.75));
        }
      }
    }
  });
});
