/**
 * Compositional sampling for scene prompts. The scenes model follows one object far better than a
 * whole two-object prompt, so a prompt is split into objects and the model is asked one object at
 * a time:
 *
 * - `whole`: the prompt as one condition (plain classifier-free guidance), the baseline.
 * - `regions`: MultiDiffusion-style masked denoising (Bar-Tal et al. 2023) with composable
 *   guidance (Liu et al. 2022): at every step each object's guided noise prediction ("a red
 *   circle at the top") is used in its own region, the half of the image the relation gives it.
 * - `layout`: a layout stage places each object from the relation or position words, then each
 *   object is generated on its own as a centred single shape (the condition the model learnt
 *   best), scaled to the two-object size and moved onto its place.
 */
import { tf } from '@hearth/ml';
import { type Position, SCENE_SIZE, type SceneObject, type SceneSpec, sceneLabels, specWords } from '../data/scenes.js';
import { encodeWords, type Word } from '../model/text.js';
import type { UNet } from '../model/unet.js';
import { type DenoiseOptions, denoise, sample } from './sampler.js';

export const COMPOSERS = ['whole', 'regions', 'layout'] as const;
export type Composer = (typeof COMPOSERS)[number];
/** What the tool and the eval use unless told otherwise (chosen by measurement, docs/benchmarks/diffusion.md). */
export const DEFAULT_COMPOSER: Composer = 'layout';

export interface SceneSampleOptions extends Omit<DenoiseOptions, 'count'> {
  guidance: number;
  composer: Composer;
}

/** Samples one image per spec; returns values in [-1, 1], `[specs.length, size, size, 3]`. */
export async function sampleScenes(model: UNet, specs: SceneSpec[], o: SceneSampleOptions): Promise<Float32Array> {
  if (o.composer === 'regions') return sampleRegions(model, specs, o);
  if (o.composer === 'layout') return sampleLayout(model, specs, o);
  return sample(model, { ...o, count: specs.length, tokens: tokensOf(model, specs.map(specWords)) });
}

function tokensOf(model: UNet, prompts: Word[][]): Int32Array {
  const { maxTokens } = model.config;
  const tokens = new Int32Array(prompts.length * maxTokens);
  prompts.forEach((words, i) => tokens.set(encodeWords(words, maxTokens), i * maxTokens));
  return tokens;
}

/** One object as a single-shape prompt, at a named position or centred. */
function objectWords(object: SceneObject, position: Position): Word[] {
  return specWords({ kind: 'single', object, position, positionNamed: position !== 'center' });
}

/** Where a scene's objects go: for each, the single-object prompt and the half of the image it owns. */
function regionsOf(spec: SceneSpec): { words: Word[]; half?: 'first' | 'second'; vertical: boolean }[] {
  if (spec.kind === 'single') return [{ words: specWords(spec), vertical: false }];
  const labels = sceneLabels(spec);
  const vertical = labels.layout === 'vertical';
  const [a, b] = labels.objects as [SceneObject, SceneObject];
  return [
    { words: objectWords(a, vertical ? 'top' : 'left'), half: 'first', vertical },
    { words: objectWords(b, vertical ? 'bottom' : 'right'), half: 'second', vertical },
  ];
}

async function sampleRegions(model: UNet, specs: SceneSpec[], o: SceneSampleOptions): Promise<Float32Array> {
  const n = specs.length;
  const size = SCENE_SIZE;
  const plans = specs.map(regionsOf);
  // Condition A and B per image (a single repeats its prompt in B); mask = where A's prediction is used.
  const tokensA = tokensOf(
    model,
    plans.map((p) => p[0]!.words),
  );
  const tokensB = tokensOf(
    model,
    plans.map((p) => (p[1] ?? p[0]!).words),
  );
  const mask = new Float32Array(n * size * size);
  plans.forEach((p, i) => {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const along = p[0]!.vertical ? y : x;
        mask[i * size * size + y * size + x] = p.length === 1 || along < size / 2 ? 1 : 0;
      }
    }
  });
  const tokens = new Int32Array(3 * tokensA.length);
  tokens.set(tokensA, 0);
  tokens.set(tokensB, tokensA.length);
  const maskA = tf.keep(tf.tensor4d(mask, [n, size, size, 1]));
  try {
    return await denoise(model, { ...o, count: n }, (x, t) => {
      const eps = model.predict(tf.concat([x, x, x], 0) as tf.Tensor4D, new Array(3 * n).fill(t), tokens);
      const [a, b, u] = tf.split(eps, 3, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const guide = (c: tf.Tensor4D) => tf.add(u, tf.mul(tf.sub(c, u), o.guidance));
      return tf.add(tf.mul(guide(a), maskA), tf.mul(guide(b), tf.sub(1, maskA))) as tf.Tensor4D;
    });
  } finally {
    maskA.dispose();
  }
}

/**
 * Two-object and positioned shapes are drawn at 7/10 of a centred single shape's side (small: 6/10
 * of that). Every object is generated big, where its shape is clearest, and scaled to its size.
 */
const PLACED_SCALE = { big: 0.7, small: 0.42 } as const;

/** Where each object of a spec is centred (x, y in pixels), or undefined when the whole prompt is sampled as is. */
function layoutOf(
  spec: SceneSpec,
): { object: SceneObject; cx: number; cy: number; half?: 'first' | 'second' }[] | undefined {
  if (spec.kind === 'single') {
    if (spec.position === 'center') return undefined;
    const [cx, cy] = { left: [4.5, 8], right: [11.5, 8], top: [8, 4.5], bottom: [8, 11.5] }[spec.position];
    return [{ object: spec.object, cx, cy }];
  }
  const labels = sceneLabels(spec);
  const [a, b] = labels.objects as [SceneObject, SceneObject];
  return labels.layout === 'vertical'
    ? [
        { object: a, cx: 8, cy: 4, half: 'first' },
        { object: b, cx: 8, cy: 12, half: 'second' },
      ]
    : [
        { object: a, cx: 4, cy: 8, half: 'first' },
        { object: b, cx: 12, cy: 8, half: 'second' },
      ];
}

async function sampleLayout(model: UNet, specs: SceneSpec[], o: SceneSampleOptions): Promise<Float32Array> {
  const size = SCENE_SIZE;
  const px = size * size * 3;
  const layouts = specs.map(layoutOf);
  // One centred single-shape prompt per object, and the whole prompt for centred singles.
  const prompts: Word[][] = [];
  const jobs: { spec: number; slot?: number }[] = [];
  specs.forEach((spec, i) => {
    const l = layouts[i];
    if (!l) {
      prompts.push(specWords(spec));
      jobs.push({ spec: i });
    } else
      l.forEach((item, slot) => {
        prompts.push(objectWords({ ...item.object, size: 'big', sizeNamed: true }, 'center'));
        jobs.push({ spec: i, slot });
      });
  });
  const images = await sample(model, { ...o, count: prompts.length, tokens: tokensOf(model, prompts) });
  const out = new Float32Array(specs.length * px).fill(-1);
  jobs.forEach((job, k) => {
    const src = images.subarray(k * px, (k + 1) * px);
    const item = job.slot === undefined ? undefined : layouts[job.spec]![job.slot]!;
    if (!item) {
      out.set(src, job.spec * px);
      return;
    }
    const vertical = item.half !== undefined && item.cx === 8;
    paste(src, out, job.spec * px, item.cx, item.cy, PLACED_SCALE[item.object.size], (x, y) => {
      if (!item.half) return true;
      const along = vertical ? y : x;
      return item.half === 'first' ? along < size / 2 : along >= size / 2;
    });
  });
  return out;
}

/**
 * Scales a generated single shape by `scale` about its ink centroid and pastes it
 * centred on (cx, cy) into `out`, only where `inside` holds (bilinear resampling; the background
 * is black, -1).
 */
function paste(
  src: Float32Array,
  out: Float32Array,
  offset: number,
  cx: number,
  cy: number,
  scale: number,
  inside: (x: number, y: number) => boolean,
): void {
  const size = SCENE_SIZE;
  const centre = inkCentre(src);
  const at = (x: number, y: number, c: number) =>
    x < 0 || y < 0 || x >= size || y >= size ? -1 : src[(y * size + x) * 3 + c]!;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(x, y)) continue;
      // Pixel centres: map the output pixel back into the source image.
      const sx = (x + 0.5 - cx) / scale + centre.x - 0.5;
      const sy = (y + 0.5 - cy) / scale + centre.y - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const v =
          at(x0, y0, c) * (1 - fx) * (1 - fy) +
          at(x0 + 1, y0, c) * fx * (1 - fy) +
          at(x0, y0 + 1, c) * (1 - fx) * fy +
          at(x0 + 1, y0 + 1, c) * fx * fy;
        const i = offset + (y * size + x) * 3 + c;
        out[i] = Math.max(out[i]!, v);
      }
    }
  }
}

/** The brightness-weighted centre of the non-background pixels (the image centre if there are none). */
function inkCentre(src: Float32Array): { x: number; y: number } {
  const size = SCENE_SIZE;
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const ink = Math.max(0, Math.max(src[i]!, src[i + 1]!, src[i + 2]!) + 1 - 0.3);
      sum += ink;
      sx += ink * (x + 0.5);
      sy += ink * (y + 0.5);
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : { x: size / 2, y: size / 2 };
}
