/**
 * The training sets (digits, scenes, single objects) as batch sources for the trainer, and the fixed prompts drawn in each
 * checkpoint's sample grid.
 */
import type { Batch } from '../diffusion/train-step.js';
import { DIGIT_WORDS, encodeWords, tokenize, type Word } from '../model/text.js';
import type { UNetConfig } from '../model/unet.js';
import { DIGIT_SIZE, loadDigits } from './digits.js';
import { objectWords, randomObject, renderObject } from './objects.js';
import { parseScene, randomSpec, renderScene, SCENE_SIZE, specWords } from './scenes.js';

export type DatasetName = 'digits' | 'scenes' | 'objects';
export const DATASETS: DatasetName[] = ['digits', 'scenes', 'objects'];

export interface Dataset {
  name: DatasetName;
  size: number;
  channels: 1 | 3;
  /** A random training batch. */
  batch(rand: () => number, count: number, maxTokens: number): Batch;
  /** Prompts for the checkpoint grid (one row each). */
  gridPrompts: string[];
}

/** The default model shape per dataset. */
export function defaultConfig(dataset: Dataset, vocabSize: number): UNetConfig {
  // Grey digits need less width than coloured, composed scenes; both fit a shared 2-core machine.
  // The object model only draws one centred shape (12 classes): a narrow net learns it quickly.
  const base = dataset.name === 'digits' ? 24 : dataset.name === 'objects' ? OBJECT_BASE : 32;
  return { size: dataset.size, channels: dataset.channels, base, vocabSize, maxTokens: 8, embedDim: 128, groups: 8 };
}

export const digitsDataset: Dataset = {
  name: 'digits',
  size: DIGIT_SIZE,
  channels: 1,
  batch(rand, count, maxTokens) {
    const set = loadDigits();
    const px = DIGIT_SIZE * DIGIT_SIZE;
    const images = new Float32Array(count * px);
    const tokens = new Int32Array(count * maxTokens);
    for (let i = 0; i < count; i++) {
      const k = Math.floor(rand() * set.count);
      images.set(set.images.subarray(k * px, (k + 1) * px), i * px);
      tokens.set(encodeWords([DIGIT_WORDS[set.labels[k]]], maxTokens), i * maxTokens);
    }
    return { images, tokens, count };
  },
  gridPrompts: DIGIT_WORDS.map((_, d) => `the digit ${d}`),
};

/** A set of rendered RGB images: draw a random description, render it, prompt with its words. */
function renderedDataset<T>(
  name: DatasetName,
  draw: (rand: () => number) => T,
  render: (item: T, rand: () => number, out: Float32Array, offset: number) => void,
  words: (item: T) => Word[],
  gridPrompts: string[],
): Dataset {
  return {
    name,
    size: SCENE_SIZE,
    channels: 3,
    batch(rand, count, maxTokens) {
      const px = SCENE_SIZE * SCENE_SIZE * 3;
      const images = new Float32Array(count * px);
      const tokens = new Int32Array(count * maxTokens);
      for (let i = 0; i < count; i++) {
        const item = draw(rand);
        render(item, rand, images, i * px);
        tokens.set(encodeWords(words(item), maxTokens), i * maxTokens);
      }
      return { images, tokens, count };
    },
    gridPrompts,
  };
}

export const scenesDataset: Dataset = renderedDataset(
  'scenes',
  randomSpec,
  (spec, rand, out, offset) => renderScene(spec, rand, out, offset),
  specWords,
  [
    'a red circle',
    'a small green square on the left',
    'a big blue triangle',
    'a yellow circle at the bottom',
    'a red circle above a blue square',
    'a green triangle left of a yellow circle',
    'a blue square below a red triangle',
    'a yellow square right of a green circle',
  ],
);

/** Channels at full resolution of the object model (when trained from scratch; `--init` keeps the init's). */
export const OBJECT_BASE = 16;

/**
 * Single, centred, big objects, prompt "<colour> <shape>": what the layout composer's per-object
 * stage asks for (sizes and places come from the layout stage).
 */
export const objectsDataset: Dataset = renderedDataset('objects', randomObject, renderObject, objectWords, [
  'a red circle',
  'a green square',
  'a blue triangle',
  'a yellow circle',
  'a red square',
  'a green triangle',
  'a blue circle',
  'a yellow triangle',
]);

export function datasetByName(name: string): Dataset {
  if (name === 'digits') return digitsDataset;
  if (name === 'scenes') return scenesDataset;
  if (name === 'objects') return objectsDataset;
  throw new Error(`unknown dataset "${name}" (choose ${DATASETS.join(', ')})`);
}

/** Known words of a prompt for a dataset (used for grids; the tool does its own checks). */
export function promptWords(prompt: string): Word[] {
  const { words } = tokenize(prompt);
  const spec = parseScene(words);
  return 'error' in spec ? words : specWords(spec);
}
