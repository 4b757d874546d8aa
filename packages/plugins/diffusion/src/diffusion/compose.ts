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
 *   best), scaled to the two-object size and moved onto its place. The per-object stage is the
 *   dedicated object model when one is given (`objectModel`), and may sample several candidates
 *   per object and keep the one the model's own conditional error fits best (`candidates`).
 */
import { tf } from '@hearth/ml';
import { objectWords } from '../data/objects.js';
import {
  type Position,
  SCENE_SIZE,
  type SceneObject,
  type SceneSpec,
  type Shape,
  sceneLabels,
  specWords,
} from '../data/scenes.js';
import { encodeWords, SHAPES, type Word } from '../model/text.js';
import type { UNet } from '../model/unet.js';
import { paste } from './paste.js';
import { conditionalErrors, fitScores, pickBest } from './rerank.js';
import { type DenoiseOptions, denoise, sample } from './sampler.js';

export const COMPOSERS = ['whole', 'regions', 'layout'] as const;
export type Composer = (typeof COMPOSERS)[number];
/** What the tool and the eval use unless told otherwise (chosen by measurement, docs/benchmarks/diffusion.md). */
export const DEFAULT_COMPOSER: Composer = 'layout';
/** Candidates per object the tool samples when the object model is there (measured, docs/benchmarks/diffusion.md). */
export const DEFAULT_CANDIDATES = 1;

export interface SceneSampleOptions extends Omit<DenoiseOptions, 'count'> {
  guidance: number;
  composer: Composer;
  /**
   * Layout: the dedicated object model (`assets/objects`, one centred shape per "colour shape"
   * prompt) for the per-object stage; without it the scenes model draws each object.
   */
  objectModel?: UNet;
  /**
   * Layout: candidates sampled per object (default 1); with more, the one the drawing model's own
   * conditional error fits best to the asked shape is kept (diffusion/rerank.ts).
   */
  candidates?: number;
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
function singleWords(object: SceneObject, position: Position): Word[] {
  return specWords({ kind: 'single', object, position, positionNamed: position !== 'center' });
}

/** Where a scene's objects go: for each, the single-object prompt and the half of the image it owns. */
function regionsOf(spec: SceneSpec): { words: Word[]; half?: 'first' | 'second'; vertical: boolean }[] {
  if (spec.kind === 'single') return [{ words: specWords(spec), vertical: false }];
  const labels = sceneLabels(spec);
  const vertical = labels.layout === 'vertical';
  const [a, b] = labels.objects as [SceneObject, SceneObject];
  return [
    { words: singleWords(a, vertical ? 'top' : 'left'), half: 'first', vertical },
    { words: singleWords(b, vertical ? 'bottom' : 'right'), half: 'second', vertical },
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
 * of that); a small centred single at 6/10. Every object is generated big, where its shape is
 * clearest, and scaled to its size.
 */
const PLACED_SCALE = { big: 0.7, small: 0.42 } as const;
const CENTRED_SCALE = { big: 1, small: 0.6 } as const;

interface LayoutItem {
  object: SceneObject;
  cx: number;
  cy: number;
  scale: number;
  half?: 'first' | 'second';
}

/**
 * Where each object of a spec is centred (x, y in pixels) and how much it is scaled; undefined
 * when the whole prompt is sampled as is (a centred single without an object model).
 */
function layoutOf(spec: SceneSpec, objectModel: boolean): LayoutItem[] | undefined {
  if (spec.kind === 'single') {
    if (spec.position === 'center')
      return objectModel ? [{ object: spec.object, cx: 8, cy: 8, scale: CENTRED_SCALE[spec.object.size] }] : undefined;
    const [cx, cy] = { left: [4.5, 8], right: [11.5, 8], top: [8, 4.5], bottom: [8, 11.5] }[spec.position];
    return [{ object: spec.object, cx, cy, scale: PLACED_SCALE[spec.object.size] }];
  }
  const labels = sceneLabels(spec);
  const [a, b] = labels.objects as [SceneObject, SceneObject];
  const at = (object: SceneObject, cx: number, cy: number, half: 'first' | 'second'): LayoutItem => ({
    object,
    cx,
    cy,
    half,
    scale: PLACED_SCALE[object.size],
  });
  return labels.layout === 'vertical'
    ? [at(a, 8, 4, 'first'), at(b, 8, 12, 'second')]
    : [at(a, 4, 8, 'first'), at(b, 12, 8, 'second')];
}

/** One image the per-object stage draws: its prompt as a function of the shape (for reranking). */
interface ObjectJob {
  spec: number;
  item?: LayoutItem;
  shape: Shape;
  words: (shape: Shape) => Word[];
}

async function sampleLayout(model: UNet, specs: SceneSpec[], o: SceneSampleOptions): Promise<Float32Array> {
  const size = SCENE_SIZE;
  const px = size * size * 3;
  const objectModel = o.objectModel;
  const jobs: ObjectJob[] = [];
  specs.forEach((spec, i) => {
    const layout = layoutOf(spec, objectModel !== undefined);
    if (!layout) {
      // A centred single: the whole prompt is the single-object condition the scenes model learnt.
      const single = spec as Extract<SceneSpec, { kind: 'single' }>;
      const words = (shape: Shape) => specWords({ ...single, object: { ...single.object, shape } });
      jobs.push({ spec: i, shape: single.object.shape, words });
      return;
    }
    for (const item of layout) {
      const { colour } = item.object;
      const words = objectModel
        ? (shape: Shape) => objectWords({ colour, shape })
        : (shape: Shape) => singleWords({ colour, shape, size: 'big', sizeNamed: true }, 'center');
      jobs.push({ spec: i, item, shape: item.object.shape, words });
    }
  });
  const images = await drawObjects(objectModel ?? model, jobs, o);
  const out = new Float32Array(specs.length * px).fill(-1);
  jobs.forEach((job, k) => {
    const src = images.subarray(k * px, (k + 1) * px);
    const item = job.item;
    if (!item) {
      out.set(src, job.spec * px);
      return;
    }
    const vertical = item.half !== undefined && item.cx === 8;
    paste(src, out, job.spec * px, item.cx, item.cy, item.scale, (x, y) => {
      if (!item.half) return true;
      const along = vertical ? y : x;
      return item.half === 'first' ? along < size / 2 : along >= size / 2;
    });
  });
  return out;
}

/**
 * Samples every job's object, `o.candidates` times each; with more than one candidate, keeps the
 * one whose conditional error fits the asked shape best against the other shapes (rerank.ts).
 */
async function drawObjects(model: UNet, jobs: ObjectJob[], o: SceneSampleOptions): Promise<Float32Array> {
  const k = Math.max(1, Math.floor(o.candidates ?? 1));
  const px = SCENE_SIZE * SCENE_SIZE * 3;
  const prompts = jobs.flatMap((job) => new Array<Word[]>(k).fill(job.words(job.shape)));
  const candidates = await sample(model, { ...o, count: prompts.length, tokens: tokensOf(model, prompts) });
  if (k === 1) return candidates;
  const conditions = jobs.flatMap((job) => {
    const shapes = [job.shape, ...SHAPES.filter((s) => s !== job.shape)];
    const rows = tokensOf(model, shapes.map(job.words));
    return new Array<Int32Array>(k).fill(rows);
  });
  const errors = conditionalErrors(model, candidates, prompts.length, conditions, { seed: o.seed });
  const picks = pickBest(fitScores(errors, SHAPES.length), k);
  const out = new Float32Array(jobs.length * px);
  picks.forEach((c, j) => out.set(candidates.subarray((j * k + c) * px, (j * k + c + 1) * px), j * px));
  return out;
}
