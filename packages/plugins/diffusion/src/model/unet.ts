/**
 * A small U-Net that predicts the noise in a noisy image, given the diffusion timestep and a text
 * condition (a fixed-length token sequence; all padding means "unconditional" for guidance).
 * Two resolutions below the input, a residual block per level, time and text embeddings added
 * as per-channel biases in every block.
 */
import { tf } from '@hearth/ml';
import {
  conv,
  defineConv,
  defineDense,
  defineGroupNorm,
  dense,
  downsample,
  groupNorm,
  silu,
  timestepEmbedding,
  upsample,
} from './layers.js';
import { Params } from './params.js';

/** Shape of a model; stored with its weights. */
export interface UNetConfig {
  /** Image side in pixels (multiple of 4). */
  size: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Channels at full resolution; the lower levels use 2x. */
  base: number;
  /** Token vocabulary size including padding (id 0). */
  vocabSize: number;
  /** Tokens per prompt. */
  maxTokens: number;
  /** Width of the time and text embeddings. */
  embedDim: number;
  groups: number;
}

interface Block {
  name: string;
  inC: number;
  outC: number;
}

export class UNet {
  readonly params: Params;
  private readonly blocks: Record<'d0' | 'd1' | 'mid' | 'u1' | 'u0', Block>;

  constructor(
    readonly config: UNetConfig,
    seed = 0,
  ) {
    const { channels, base, vocabSize, maxTokens, embedDim } = config;
    const c0 = base;
    const c1 = base * 2;
    this.params = new Params(seed);
    const p = this.params;
    const tokenDim = 24;
    p.create('text.embed', [vocabSize, tokenDim], { std: 0.5 });
    p.create('text.position', [maxTokens, tokenDim], { std: 0.5 });
    defineDense(p, 'text.fc1', maxTokens * tokenDim, embedDim);
    defineDense(p, 'text.fc2', embedDim, embedDim);
    defineDense(p, 'time.fc1', embedDim, embedDim);
    defineDense(p, 'time.fc2', embedDim, embedDim);
    defineConv(p, 'in', 3, channels, c0);
    this.blocks = {
      d0: { name: 'd0', inC: c0, outC: c0 },
      d1: { name: 'd1', inC: c0, outC: c1 },
      mid: { name: 'mid', inC: c1, outC: c1 },
      u1: { name: 'u1', inC: c1 + c1, outC: c1 },
      u0: { name: 'u0', inC: c1 + c0, outC: c0 },
    };
    for (const b of Object.values(this.blocks)) this.defineResBlock(b);
    defineGroupNorm(p, 'out.norm', c0);
    defineConv(p, 'out', 3, c0, channels, true);
  }

  private defineResBlock({ name, inC, outC }: Block): void {
    const p = this.params;
    defineGroupNorm(p, `${name}.n1`, inC);
    defineConv(p, `${name}.c1`, 3, inC, outC);
    defineDense(p, `${name}.emb`, this.config.embedDim, outC);
    defineGroupNorm(p, `${name}.n2`, outC);
    defineConv(p, `${name}.c2`, 3, outC, outC, true);
    if (inC !== outC) defineConv(p, `${name}.skip`, 1, inC, outC);
  }

  private resBlock({ name, inC, outC }: Block, x: tf.Tensor4D, emb: tf.Tensor2D): tf.Tensor4D {
    const p = this.params;
    const g = this.config.groups;
    let h = conv(p, `${name}.c1`, silu(groupNorm(p, `${name}.n1`, x, g)) as tf.Tensor4D);
    h = tf.add(h, dense(p, `${name}.emb`, emb).reshape([x.shape[0], 1, 1, outC])) as tf.Tensor4D;
    h = conv(p, `${name}.c2`, silu(groupNorm(p, `${name}.n2`, h, g)) as tf.Tensor4D);
    const skip = inC === outC ? x : conv(p, `${name}.skip`, x);
    return tf.add(skip, h) as tf.Tensor4D;
  }

  /** Text condition: token and position embeddings, flattened, through a two-layer MLP. */
  private encodeText(tokens: Int32Array, batch: number): tf.Tensor2D {
    const { vocabSize, maxTokens } = this.config;
    const p = this.params;
    // A gather written as a one-hot matmul: tfjs-wasm has no gather gradient kernel.
    const oneHot = tf.oneHot(tf.tensor1d(tokens, 'int32'), vocabSize).toFloat() as tf.Tensor2D;
    const embedded = tf.add(
      tf.matMul(oneHot, p.get('text.embed')).reshape([batch, maxTokens, -1]),
      p.get('text.position'),
    );
    const flat = embedded.reshape([batch, -1]) as tf.Tensor2D;
    return dense(p, 'text.fc2', silu(dense(p, 'text.fc1', flat)) as tf.Tensor2D);
  }

  /**
   * Predicted noise for images `x` (`[batch, size, size, channels]`, values in [-1, 1]) at
   * timesteps `t`, conditioned on `tokens` (`batch * maxTokens` ids).
   */
  predict(x: tf.Tensor4D, t: number[], tokens: Int32Array): tf.Tensor4D {
    const batch = x.shape[0];
    const p = this.params;
    const time = timestepEmbedding(t, this.config.embedDim);
    const timeEmb = dense(p, 'time.fc2', silu(dense(p, 'time.fc1', time)) as tf.Tensor2D);
    const emb = silu(tf.add(timeEmb, this.encodeText(tokens, batch))) as tf.Tensor2D;
    const b = this.blocks;
    const h0 = this.resBlock(b.d0, conv(p, 'in', x), emb);
    const h1 = this.resBlock(b.d1, downsample(h0), emb);
    const m = this.resBlock(b.mid, downsample(h1), emb);
    const u1 = this.resBlock(b.u1, tf.concat([upsample(m), h1], 3) as tf.Tensor4D, emb);
    const u0 = this.resBlock(b.u0, tf.concat([upsample(u1), h0], 3) as tf.Tensor4D, emb);
    return conv(p, 'out', silu(groupNorm(p, 'out.norm', u0, this.config.groups)) as tf.Tensor4D);
  }
}
