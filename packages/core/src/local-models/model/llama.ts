import { gaussian, seededRandom, tf } from '@hearth/ml';
import { batchMatmul, embedding, linear, matmul } from '@hearth/ml/ops/linear';
import { type LlamaConfig, weightShapes } from './config.js';
import { type LoraConfig, LoraWeights } from './lora.js';

/** Plain weights by GGUF tensor name: row-major data and shape (matrices `[in, out]`). */
export type WeightMap = Record<string, { data: Float32Array; shape: number[] }>;

/** Per-layer key/value cache for incremental decoding: tensors `[heads, t, headDim]`. */
export interface KvCache {
  keys: tf.Tensor3D[];
  values: tf.Tensor3D[];
  length: number;
}

let instanceCounter = 0;

/**
 * A llama-architecture decoder in tfjs ops: token embedding, per layer RMSNorm -> attention with
 * RoPE (adjacent-pair rotation, llama.cpp's "norm" rope type) -> residual, RMSNorm -> SwiGLU ->
 * residual; final RMSNorm and an output projection tied to the embedding. No biases.
 */
export class LlamaModel {
  readonly weights = new Map<string, tf.Variable>();
  lora?: LoraWeights;
  private readonly prefix = `llama${instanceCounter++}`;
  private readonly rotation: tf.Tensor2D;

  private constructor(
    readonly config: LlamaConfig,
    init: WeightMap,
  ) {
    for (const [name, shape] of Object.entries(weightShapes(config))) {
      const w = init[name];
      if (!w) throw new Error(`missing weight ${name}`);
      if (w.shape.join() !== shape.join())
        throw new Error(`weight ${name} has shape [${w.shape}], expected [${shape}]`);
      this.weights.set(name, tf.variable(tf.tensor(w.data, shape), true, `${this.prefix}/${name}`));
    }
    const hd = this.headDim;
    const r = new Float32Array(hd * hd);
    // rot(x)[2i] = -x[2i+1], rot(x)[2i+1] = x[2i], as x @ R.
    for (let i = 0; i < hd; i += 2) {
      r[(i + 1) * hd + i] = -1;
      r[i * hd + i + 1] = 1;
    }
    this.rotation = tf.keep(tf.tensor2d(r, [hd, hd]));
  }

  get headDim(): number {
    return this.config.dim / this.config.heads;
  }

  /** A freshly initialised model (normal(0, 0.02); residual outputs scaled by 1/sqrt(2 * layers)). */
  static create(config: LlamaConfig, seed: number): LlamaModel {
    const g = gaussian(seededRandom(seed));
    const init: WeightMap = {};
    for (const [name, shape] of Object.entries(weightShapes(config))) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (name.endsWith('norm.weight')) data.fill(1);
      else {
        const scale = /attn_output|ffn_down/.test(name) ? 0.02 / Math.sqrt(2 * config.layers) : 0.02;
        for (let i = 0; i < size; i++) data[i] = g() * scale;
      }
      init[name] = { data, shape };
    }
    return new LlamaModel(config, init);
  }

  static fromWeights(config: LlamaConfig, weights: WeightMap): LlamaModel {
    return new LlamaModel(config, weights);
  }

  /** Current weights as plain arrays. */
  exportWeights(): WeightMap {
    const out: WeightMap = {};
    for (const [name, v] of this.weights) out[name] = { data: v.dataSync() as Float32Array, shape: [...v.shape] };
    return out;
  }

  /** Adds LoRA matrices to the targeted projections (zero-initialised B, so outputs start unchanged). */
  attachLora(config: LoraConfig, seed: number): LoraWeights {
    this.lora?.dispose();
    this.lora = LoraWeights.create(this.config, config, seed, `${this.prefix}/lora`);
    return this.lora;
  }

  trainableVariables(which: 'base' | 'lora'): tf.Variable[] {
    if (which === 'lora') {
      if (!this.lora) throw new Error('no LoRA attached');
      return this.lora.variables();
    }
    return [...this.weights.values()];
  }

  private w(name: string): tf.Tensor {
    const v = this.weights.get(name);
    if (!v) throw new Error(`missing weight ${name}`);
    return v;
  }

  private project(x: tf.Tensor, name: string): tf.Tensor {
    const y = linear(x, this.w(name) as tf.Tensor2D);
    const delta = this.lora?.apply(x, name);
    return delta ? tf.add(y, delta) : y;
  }

  private rmsNorm(x: tf.Tensor, name: string): tf.Tensor {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.config.normEps))), this.w(name));
  }

  /** Rotary embedding on `[b, t, heads, hd]` for positions `offset .. offset + t - 1`. */
  private rope(x: tf.Tensor, offset: number): tf.Tensor {
    const [b, t, h, hd] = x.shape;
    const angles = new Float32Array(t * hd);
    for (let p = 0; p < t; p++) {
      for (let i = 0; i < hd; i += 2) {
        const a = (offset + p) * this.config.ropeTheta ** (-i / hd);
        angles[p * hd + i] = a;
        angles[p * hd + i + 1] = a;
      }
    }
    const ang = tf.tensor(angles, [1, t, 1, hd]);
    const rotated = tf.reshape(matmul(tf.reshape(x, [-1, hd]) as tf.Tensor2D, this.rotation), [b, t, h, hd]);
    return tf.add(tf.mul(x, tf.cos(ang)), tf.mul(rotated, tf.sin(ang)));
  }

  /** `[b, t, d]` -> `[b * heads, t, hd]`. */
  private splitHeads(x: tf.Tensor, b: number, t: number): tf.Tensor3D {
    const { heads } = this.config;
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b * heads, t, this.headDim]) as tf.Tensor3D;
  }

  private attention(x: tf.Tensor, layer: number, offset: number, cache?: KvCache): tf.Tensor {
    const [b, t] = x.shape;
    const { heads, dim } = this.config;
    const hd = this.headDim;
    const p = `blk.${layer}.`;
    const q = this.splitHeads(
      this.rope(tf.reshape(this.project(x, `${p}attn_q.weight`), [b, t, heads, hd]), offset),
      b,
      t,
    );
    let k = this.splitHeads(
      this.rope(tf.reshape(this.project(x, `${p}attn_k.weight`), [b, t, heads, hd]), offset),
      b,
      t,
    );
    let v = this.splitHeads(tf.reshape(this.project(x, `${p}attn_v.weight`), [b, t, heads, hd]), b, t);
    if (cache) {
      if (cache.keys[layer]) {
        k = tf.concat([cache.keys[layer], k], 1);
        v = tf.concat([cache.values[layer], v], 1);
        tf.dispose([cache.keys[layer], cache.values[layer]]);
      }
      cache.keys[layer] = tf.keep(k);
      cache.values[layer] = tf.keep(v);
    }
    const tk = k.shape[1];
    let scores = tf.mul(batchMatmul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(hd));
    if (t > 1) scores = tf.add(scores, causalMask(t, tk, tk - t));
    const mixed = batchMatmul(tf.softmax(scores) as tf.Tensor3D, v);
    const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [b, heads, t, hd]), [0, 2, 1, 3]), [b, t, dim]);
    return this.project(merged, `${p}attn_output.weight`);
  }

  private feedForward(x: tf.Tensor, layer: number): tf.Tensor {
    const p = `blk.${layer}.`;
    const gate = this.project(x, `${p}ffn_gate.weight`);
    const up = this.project(x, `${p}ffn_up.weight`);
    return this.project(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), `${p}ffn_down.weight`);
  }

  /**
   * Logits `[b, t, vocab]` for token ids `[b, t]`. With a cache, positions start at `cache.length`
   * and keys/values are appended (call inside tf.tidy; the cache tensors are kept).
   */
  forward(ids: tf.Tensor2D, cache?: KvCache): tf.Tensor3D {
    const [b, t] = ids.shape;
    const offset = cache?.length ?? 0;
    if (offset + t > this.config.contextLength) {
      throw new Error(`sequence of ${offset + t} tokens exceeds the context length ${this.config.contextLength}`);
    }
    let h = embedding(this.w('token_embd.weight') as tf.Tensor2D, ids);
    for (let l = 0; l < this.config.layers; l++) {
      h = tf.add(h, this.attention(this.rmsNorm(h, `blk.${l}.attn_norm.weight`), l, offset, cache));
      h = tf.add(h, this.feedForward(this.rmsNorm(h, `blk.${l}.ffn_norm.weight`), l));
    }
    if (cache) cache.length = offset + t;
    const out = this.rmsNorm(h, 'output_norm.weight');
    const table = this.w('token_embd.weight') as tf.Tensor2D;
    const logits = matmul(tf.reshape(out, [-1, this.config.dim]) as tf.Tensor2D, tf.transpose(table));
    return tf.reshape(logits, [b, t, this.config.vocabSize]) as tf.Tensor3D;
  }

  newCache(): KvCache {
    return { keys: [], values: [], length: 0 };
  }

  disposeCache(cache: KvCache): void {
    tf.dispose([...cache.keys, ...cache.values]);
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
    this.lora?.dispose();
    this.rotation.dispose();
  }
}

/** Additive mask `[tq, tk]`: query i (at key position `start + i`) sees keys 0..start + i. */
function causalMask(tq: number, tk: number, start: number): tf.Tensor2D {
  const m = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) for (let j = start + i + 1; j < tk; j++) m[i * tk + j] = -1e9;
  return tf.tensor2d(m, [tq, tk]);
}
