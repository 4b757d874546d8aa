import { gaussian, seededRandom, tf } from '@hearth/ml';
import { linear } from '@hearth/ml/ops/linear';
import { z } from 'zod';
import type { LlamaConfig } from './config.js';

/** Projections a LoRA may target, by GGUF tensor suffix. */
export const LORA_TARGETS = ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down'] as const;

export const LoraConfigSchema = z.object({
  rank: z.number().int().min(1).max(256).default(8),
  alpha: z.number().positive().default(16),
  targets: z.array(z.enum(LORA_TARGETS)).min(1).default(['attn_q', 'attn_v']),
  /** Layer indices to adapt; default all. */
  layers: z.array(z.number().int().min(0)).optional(),
});
export type LoraConfig = z.infer<typeof LoraConfigSchema>;

/** Plain LoRA matrices by base tensor name: `a` is `[in, rank]`, `b` is `[rank, out]`. */
export type LoraMatrices = Record<string, { a: Float32Array; b: Float32Array; inDim: number; outDim: number }>;

/** LoRA matrices: `W x` becomes `W x + (alpha / rank) * B A x`; B starts at zero. */
export class LoraWeights {
  private readonly pairs = new Map<string, { a: tf.Variable; b: tf.Variable }>();

  private constructor(readonly config: LoraConfig) {}

  get scale(): number {
    return this.config.alpha / this.config.rank;
  }

  static targetShapes(model: LlamaConfig, config: LoraConfig): Record<string, [number, number]> {
    const layers = config.layers ?? Array.from({ length: model.layers }, (_, i) => i);
    const shapes: Record<string, [number, number]> = {};
    for (const l of layers) {
      if (l >= model.layers) throw new Error(`LoRA layer ${l} does not exist (model has ${model.layers})`);
      for (const t of config.targets) {
        const inDim = t === 'ffn_down' ? model.ffnDim : model.dim;
        const outDim = t === 'ffn_gate' || t === 'ffn_up' ? model.ffnDim : model.dim;
        shapes[`blk.${l}.${t}.weight`] = [inDim, outDim];
      }
    }
    return shapes;
  }

  static create(model: LlamaConfig, config: LoraConfig, seed: number, prefix: string): LoraWeights {
    const g = gaussian(seededRandom(seed));
    const lora = new LoraWeights(config);
    for (const [name, [inDim, outDim]] of Object.entries(LoraWeights.targetShapes(model, config))) {
      const a = Float32Array.from({ length: inDim * config.rank }, () => g() / Math.sqrt(inDim));
      lora.set(name, a, new Float32Array(config.rank * outDim), inDim, outDim, prefix);
    }
    return lora;
  }

  static fromMatrices(config: LoraConfig, matrices: LoraMatrices, prefix: string): LoraWeights {
    const lora = new LoraWeights(config);
    for (const [name, m] of Object.entries(matrices)) lora.set(name, m.a, m.b, m.inDim, m.outDim, prefix);
    return lora;
  }

  private set(name: string, a: Float32Array, b: Float32Array, inDim: number, outDim: number, prefix: string): void {
    const r = this.config.rank;
    this.pairs.set(name, {
      a: tf.variable(tf.tensor2d(a, [inDim, r]), true, `${prefix}/${name}.a`),
      b: tf.variable(tf.tensor2d(b, [r, outDim]), true, `${prefix}/${name}.b`),
    });
  }

  /** The low-rank update for base projection `name`, or undefined when it is not adapted. */
  apply(x: tf.Tensor, name: string): tf.Tensor | undefined {
    const p = this.pairs.get(name);
    if (!p) return undefined;
    return tf.mul(linear(linear(x, p.a as tf.Tensor2D), p.b as tf.Tensor2D), this.scale);
  }

  variables(): tf.Variable[] {
    return [...this.pairs.values()].flatMap((p) => [p.a, p.b]);
  }

  exportMatrices(): LoraMatrices {
    const out: LoraMatrices = {};
    for (const [name, p] of this.pairs) {
      out[name] = {
        a: p.a.dataSync() as Float32Array,
        b: p.b.dataSync() as Float32Array,
        inDim: p.a.shape[0] as number,
        outDim: p.b.shape[1] as number,
      };
    }
    return out;
  }

  dispose(): void {
    for (const p of this.pairs.values()) tf.dispose([p.a, p.b]);
    this.pairs.clear();
  }
}
