/**
 * The offline backend: the shipped digit and scene diffusion models, loaded lazily once per process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initTf } from '@hearth/ml';
import { fromFloats, type RgbImage } from '@hearth/ml/image';
import type { SceneSpec } from './data/scenes.js';
import { type Composer, DEFAULT_CANDIDATES, DEFAULT_COMPOSER, sampleScenes } from './diffusion/compose.js';
import { sample } from './diffusion/sampler.js';
import { encodeWords, type Word } from './model/text.js';
import { UNet } from './model/unet.js';
import { loadWeights, type WeightsManifest } from './model/weights.js';

/** Where the shipped weights live (`assets/{digits,scenes,objects}.{json,bin}`). */
export const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

export interface GenerateOptions {
  words: readonly Word[];
  count: number;
  steps: number;
  guidance: number;
  seed: number;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
}

/** A loaded diffusion model ready to sample. */
export class LocalImageModel {
  private constructor(
    readonly model: UNet,
    readonly manifest: WeightsManifest,
  ) {}

  /** Loads `<base>.json` + `<base>.bin`. */
  static async load(base: string): Promise<LocalImageModel> {
    await initTf();
    const { manifest, values } = await loadWeights(base);
    const model = new UNet(manifest.config);
    model.params.assign(values);
    return new LocalImageModel(model, manifest);
  }

  get size(): number {
    return this.model.config.size;
  }

  /** Samples `count` images for the prompt words. */
  async generate(options: GenerateOptions): Promise<RgbImage[]> {
    const { size, channels } = this.model.config;
    return fromFloats(await this.sampleFloats(options), options.count, size, channels as 1 | 3);
  }

  /**
   * Samples `count` images of a scene prompt, composed object by object (`composer`, default
   * {@link DEFAULT_COMPOSER}): the scenes model follows one object far better than two at once.
   * With `objects` (the object model, see {@link localObjectModel}) each object is drawn by it,
   * keeping the best of `candidates` per object (default {@link DEFAULT_CANDIDATES}).
   */
  async generateScene(
    spec: SceneSpec,
    options: Omit<GenerateOptions, 'words'> & { composer?: Composer; objects?: LocalImageModel; candidates?: number },
  ): Promise<RgbImage[]> {
    const { size, channels } = this.model.config;
    const specs = Array.from({ length: options.count }, () => spec);
    const values = await sampleScenes(this.model, specs, {
      ...options,
      composer: options.composer ?? DEFAULT_COMPOSER,
      objectModel: options.objects?.model,
      candidates: options.objects ? (options.candidates ?? DEFAULT_CANDIDATES) : options.candidates,
    });
    return fromFloats(values, options.count, size, channels as 1 | 3);
  }

  /** Raw samples, `[count, size, size, channels]` in [-1, 1]. */
  async sampleFloats(options: GenerateOptions): Promise<Float32Array> {
    const { maxTokens } = this.model.config;
    const ids = encodeWords(options.words, maxTokens);
    const tokens = new Int32Array(options.count * maxTokens);
    for (let i = 0; i < options.count; i++) tokens.set(ids, i * maxTokens);
    return sample(this.model, { ...options, tokens });
  }

  dispose(): void {
    this.model.params.dispose();
  }
}

const loaded = new Map<string, Promise<LocalImageModel>>();

/** The shipped model for `name` (`digits`, `scenes` or `objects`), or one at an explicit path, cached. */
export function localModel(name: 'digits' | 'scenes' | 'objects', dir = ASSETS_DIR): Promise<LocalImageModel> {
  const base = `${dir.replace(/\/$/, '')}/${name}`;
  let model = loaded.get(base);
  if (!model) {
    model = LocalImageModel.load(base);
    model.catch(() => loaded.delete(base));
    loaded.set(base, model);
  }
  return model;
}

/**
 * The object model next to the scenes model in `dir` (`objects.{json,bin}`), or undefined when
 * that folder has none (weights trained before it existed): scenes are then drawn by the scenes
 * model alone.
 */
export async function localObjectModel(dir = ASSETS_DIR): Promise<LocalImageModel | undefined> {
  return existsSync(`${dir.replace(/\/$/, '')}/objects.json`) ? localModel('objects', dir) : undefined;
}
