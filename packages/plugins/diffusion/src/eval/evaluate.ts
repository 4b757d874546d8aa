/**
 * Quality of the local models, judged by an independent classifier trained on real data only:
 * the share of generated samples recognised as what the prompt asked for, the classifier's own
 * score on held-out real data (its ceiling), and the Fréchet distance between the classifier's
 * features of real and generated images.
 */
import { initTf, seededRandom } from '@hearth/ml';
import { loadDigits } from '../data/digits.js';
import { randomSpec, renderScene, SCENE_SIZE, type SceneLabels, type SceneSpec, sceneLabels } from '../data/scenes.js';
import { COMPOSERS, type Composer, DEFAULT_CANDIDATES, DEFAULT_COMPOSER, sampleScenes } from '../diffusion/compose.js';
import { type LocalImageModel, localModel, localObjectModel } from '../local.js';
import { COLOURS, DIGIT_WORDS, SHAPES, SIZES } from '../model/text.js';
import { Classifier, FEATURES } from './classifier.js';
import { frechetDistance } from './frechet.js';

export interface EvalOptions {
  dataset: 'digits' | 'scenes';
  /** Folder with `<dataset>.json/.bin`; default the shipped assets. */
  weightsDir?: string;
  samples: number;
  steps: number;
  guidance: number;
  seed: number;
  classifierSteps: number;
  /**
   * Scenes: how prompts are sampled, as variants (see {@link parseVariant}: a composer, e.g.
   * `layout`, optionally `+objects` for the object model and `+rerank<K>` for K candidates per
   * object); the first is the headline figure, every one is reported in `variants`, all judged on
   * the same prompts by the same classifier. Default: what `imagine` uses.
   */
  composers?: string[];
  onProgress?: (message: string) => void;
}

export interface EvalReport {
  dataset: string;
  samples: number;
  steps: number;
  guidance: number;
  /** Share of generated samples the classifier recognises as asked. */
  recognised: number;
  /** The same measure on held-out real images: the classifier's ceiling. */
  realRecognised: number;
  frechet: number;
  /** Fréchet distance between two disjoint real sets of the same size: the noise floor. */
  frechetRealVsReal: number;
  /** Scenes only: per attribute the prompt names, the share right in generated and in real images. */
  attributes?: Record<string, { generated: number; real: number }>;
  /** Scenes: per composer, the share recognised and the per-attribute shares (generated). */
  variants?: Record<string, { recognised: number; attributes: Record<string, number>; seconds: number }>;
  seconds: number;
}

const LAYOUTS = ['single', 'vertical', 'horizontal'] as const;
const POSITIONS = ['center', 'left', 'right', 'top', 'bottom'] as const;
export const SCENE_HEADS = [
  { name: 'layout', classes: 3 },
  { name: 'position', classes: 5 },
  { name: 'colour0', classes: 4 },
  { name: 'shape0', classes: 3 },
  { name: 'size0', classes: 2 },
  { name: 'colour1', classes: 5 },
  { name: 'shape1', classes: 4 },
  { name: 'size1', classes: 3 },
];

/** Classifier targets of a scene; the second object's heads have a last "none" class for singles. */
export function sceneTargets(l: SceneLabels): number[] {
  const [a, b] = l.objects;
  return [
    LAYOUTS.indexOf(l.layout),
    POSITIONS.indexOf(l.position),
    COLOURS.indexOf(a.colour),
    SHAPES.indexOf(a.shape),
    SIZES.indexOf(a.size),
    b ? COLOURS.indexOf(b.colour) : COLOURS.length,
    b ? SHAPES.indexOf(b.shape) : SHAPES.length,
    b ? SIZES.indexOf(b.size) : SIZES.length,
  ];
}

/** The heads a spec names (unnamed sizes and positions are free) and their wanted classes. */
export function checkedHeads(spec: SceneSpec): { heads: number[]; want: number[] } {
  const labels = sceneLabels(spec);
  const heads = [0, 2, 3, 5, 6];
  if (spec.kind === 'single' && spec.positionNamed) heads.push(1);
  labels.objects.forEach((o, i) => {
    if (o.sizeNamed) heads.push(i === 0 ? 4 : 7);
  });
  return { heads, want: sceneTargets(labels) };
}

/** Whether predicted heads match everything the spec asked. */
export function sceneMatches(spec: SceneSpec, predicted: number[]): boolean {
  const { heads, want } = checkedHeads(spec);
  return heads.every((h) => predicted[h] === want[h]);
}

/** Per head, the share of specs naming it whose prediction is right. */
export function headAccuracy(specs: SceneSpec[], labels: Int32Array[]): Record<string, number> {
  const right = SCENE_HEADS.map(() => 0);
  const asked = SCENE_HEADS.map(() => 0);
  specs.forEach((spec, i) => {
    const { heads, want } = checkedHeads(spec);
    for (const h of heads) {
      asked[h]++;
      if (labels[h][i] === want[h]) right[h]++;
    }
  });
  return Object.fromEntries(SCENE_HEADS.flatMap((h, j) => (asked[j] ? [[h.name, right[j] / asked[j]]] : [])));
}

/** A scene sampling variant: the composer, whether the object model draws the objects, candidates per object. */
export interface SceneVariant {
  composer: Composer;
  objects: boolean;
  candidates: number;
}

/** Parses `layout`, `layout+objects`, `layout+objects+rerank4`, ... with a clear error for anything else. */
export function parseVariant(name: string): SceneVariant {
  const [composer, ...extras] = name.split('+');
  const fail = () =>
    new Error(
      `unknown scene variant "${name}": use a composer (${COMPOSERS.join(', ')}), then optionally +objects and +rerank<K> (layout only)`,
    );
  if (!(COMPOSERS as readonly string[]).includes(composer!)) throw fail();
  const variant: SceneVariant = { composer: composer as Composer, objects: false, candidates: 1 };
  for (const extra of extras) {
    const rerank = /^rerank(\d+)$/.exec(extra);
    if (extra === 'objects') variant.objects = true;
    else if (rerank && Number(rerank[1]) >= 1) variant.candidates = Number(rerank[1]);
    else throw fail();
  }
  if (variant.composer !== 'layout' && (variant.objects || variant.candidates > 1)) throw fail();
  return variant;
}

/** The variant `imagine` uses for scene prompts with the weights in `dir`. */
async function defaultVariant(dir?: string): Promise<string> {
  const objects = await localObjectModel(dir);
  if (!objects) return DEFAULT_COMPOSER;
  return `${DEFAULT_COMPOSER}+objects${DEFAULT_CANDIDATES > 1 ? `+rerank${DEFAULT_CANDIDATES}` : ''}`;
}

export async function evaluate(options: EvalOptions): Promise<EvalReport> {
  await initTf();
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  const model = await localModel(options.dataset, options.weightsDir);
  const result =
    options.dataset === 'digits'
      ? await evaluateDigits(model, options, say)
      : await evaluateScenes(model, options, say);
  return {
    dataset: options.dataset,
    samples: options.samples,
    steps: options.steps,
    guidance: options.guidance,
    ...result,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The judge's train / held-out split of the digit set (1 in 5 held out). The set interleaves digits
 * (0-9, 0-9, ...), so whole rounds are held out: `i % 5` would hold out only 0s and 5s.
 */
export function digitSplit(count: number): { train: number[]; held: number[] } {
  const heldOut = (i: number) => Math.floor(i / 10) % 5 === 0;
  const all = [...Array(count).keys()];
  return { train: all.filter((i) => !heldOut(i)), held: all.filter(heldOut) };
}

type Core = Pick<
  EvalReport,
  'recognised' | 'realRecognised' | 'frechet' | 'frechetRealVsReal' | 'attributes' | 'variants'
>;

async function evaluateDigits(model: LocalImageModel, o: EvalOptions, say: (m: string) => void): Promise<Core> {
  const set = loadDigits();
  const px = 16 * 16;
  const { train, held } = digitSplit(set.count);
  const rand = seededRandom(o.seed + 101);
  const classifier = new Classifier({ size: 16, channels: 1, heads: [{ name: 'digit', classes: 10 }] }, o.seed + 7);
  say(`training the digit classifier on ${train.length} real digits`);
  await classifier.fit(() => {
    const images = new Float32Array(64 * px);
    const labels = new Int32Array(64);
    for (let i = 0; i < 64; i++) {
      const k = train[Math.floor(rand() * train.length)];
      images.set(set.images.subarray(k * px, (k + 1) * px), i * px);
      labels[i] = set.labels[k];
    }
    return { images, labels: [labels], count: 64 };
  }, o.classifierSteps);
  const realImages = new Float32Array(held.length * px);
  held.forEach((k, i) => realImages.set(set.images.subarray(k * px, (k + 1) * px), i * px));
  const real = await classifier.predict(realImages, held.length);
  const realRecognised = held.filter((k, i) => real.labels[0][i] === set.labels[k]).length / held.length;

  const wanted = Array.from({ length: o.samples }, (_, i) => i % 10);
  const generated = new Float32Array(o.samples * px);
  for (let d = 0; d < 10; d++) {
    const idx = wanted.flatMap((w, i) => (w === d ? [i] : []));
    say(`sampling ${idx.length} images of the digit ${d}`);
    const imgs = await sampleFloats(model, [DIGIT_WORDS[d]], idx.length, o, o.seed + d);
    idx.forEach((at, j) => generated.set(imgs.subarray(j * px, (j + 1) * px), at * px));
  }
  const gen = await classifier.predict(generated, o.samples);
  const recognised = wanted.filter((d, i) => gen.labels[0][i] === d).length / o.samples;
  const n = Math.min(o.samples, Math.floor(held.length / 2));
  const frechet = frechetDistance(
    real.features.subarray(0, n * FEATURES),
    gen.features.subarray(0, n * FEATURES),
    FEATURES,
  );
  const frechetRealVsReal = frechetDistance(
    real.features.subarray(0, n * FEATURES),
    real.features.subarray(n * FEATURES, 2 * n * FEATURES),
    FEATURES,
  );
  classifier.dispose();
  return { recognised, realRecognised, frechet, frechetRealVsReal };
}

async function evaluateScenes(model: LocalImageModel, o: EvalOptions, say: (m: string) => void): Promise<Core> {
  const px = SCENE_SIZE * SCENE_SIZE * 3;
  // Variants first: a wrong name fails before the judge's training.
  const composers = o.composers?.length ? o.composers : [await defaultVariant(o.weightsDir)];
  const parsed = composers.map(parseVariant);
  const objects = parsed.some((v) => v.objects) ? await localObjectModel(o.weightsDir) : undefined;
  if (parsed.some((v) => v.objects) && !objects)
    throw new Error(
      `no object model (objects.json) next to the scenes weights${o.weightsDir ? ` in ${o.weightsDir}` : ''}`,
    );
  const classifier = new Classifier({ size: SCENE_SIZE, channels: 3, heads: SCENE_HEADS }, o.seed + 7);
  const rand = seededRandom(o.seed + 202);
  say('training the scene classifier on freshly rendered scenes');
  await classifier.fit(() => {
    const images = new Float32Array(64 * px);
    const labels = SCENE_HEADS.map(() => new Int32Array(64));
    for (let i = 0; i < 64; i++) {
      const spec = randomSpec(rand);
      renderScene(spec, rand, images, i * px);
      sceneTargets(sceneLabels(spec)).forEach((t, h) => {
        labels[h][i] = t;
      });
    }
    return { images, labels, count: 64 };
  }, o.classifierSteps);
  const specRand = seededRandom(o.seed + 303);
  const n = o.samples;
  const specs = Array.from({ length: n }, () => randomSpec(specRand));
  const realImages = new Float32Array(2 * n * px);
  const realSpecs = Array.from({ length: 2 * n }, () => randomSpec(specRand));
  realSpecs.forEach((s, i) => renderScene(s, specRand, realImages, i * px));
  const real = await classifier.predict(realImages, 2 * n);
  const realRecognised =
    realSpecs.filter((s, i) =>
      sceneMatches(
        s,
        real.labels.map((l) => l[i]),
      ),
    ).length /
    (2 * n);

  const realHeads = headAccuracy(realSpecs, real.labels);
  const variants: NonNullable<EvalReport['variants']> = {};
  let headline: { recognised: number; frechet: number; heads: Record<string, number> } | undefined;
  for (const [v, composer] of composers.entries()) {
    const variant = parsed[v]!;
    const t0 = performance.now();
    const generated = new Float32Array(n * px);
    for (let start = 0; start < n; start += 16) {
      const count = Math.min(16, n - start);
      say(`sampling scenes ${start + 1}-${start + count} of ${n} (${composer})`);
      const values = await sampleScenes(model.model, specs.slice(start, start + count), {
        steps: o.steps,
        guidance: o.guidance,
        seed: o.seed + start,
        composer: variant.composer,
        objectModel: variant.objects ? objects?.model : undefined,
        candidates: variant.candidates,
      });
      generated.set(values, start * px);
    }
    const seconds = (performance.now() - t0) / 1000;
    const gen = await classifier.predict(generated, n);
    const recognised =
      specs.filter((s, i) =>
        sceneMatches(
          s,
          gen.labels.map((l) => l[i]),
        ),
      ).length / n;
    const heads = headAccuracy(specs, gen.labels);
    variants[composer] = { recognised, attributes: heads, seconds };
    if (!headline) {
      const frechet = frechetDistance(real.features.subarray(0, n * FEATURES), gen.features, FEATURES);
      headline = { recognised, frechet, heads };
    }
  }
  const frechetRealVsReal = frechetDistance(
    real.features.subarray(0, n * FEATURES),
    real.features.subarray(n * FEATURES),
    FEATURES,
  );
  classifier.dispose();
  const { recognised, frechet, heads } = headline!;
  const attributes = Object.fromEntries(
    Object.keys(heads).map((name) => [name, { generated: heads[name]!, real: realHeads[name] ?? 0 }]),
  );
  return { recognised, realRecognised, frechet, frechetRealVsReal, attributes, variants };
}

/** Raw samples in [-1, 1] for one prompt. */
async function sampleFloats(
  model: LocalImageModel,
  words: Parameters<LocalImageModel['generate']>[0]['words'],
  count: number,
  o: EvalOptions,
  seed: number,
): Promise<Float32Array> {
  return model.sampleFloats({ words, count, steps: o.steps, guidance: o.guidance, seed });
}
