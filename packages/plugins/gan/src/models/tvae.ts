import { seededRandom, tf } from '@hearth/ml';
import type { DataTransformer, Span } from '../transform/transformer.js';
import {
  apply,
  type Dense,
  dense,
  matmul,
  normalNoise,
  restore,
  snapshot,
  tick,
  uniquePrefix,
  variablesOf,
} from './nn.js';
import { EarlyStop } from './stopping.js';
import { type Synthesizer, type TrainOptions, throwIfAborted } from './types.js';

/**
 * TVAE sizes: SDV's 128-128 encoder and decoder with a 64-d latent (SDV: 128). On full Adult
 * the 64-d latent trained 50 epochs in 92 CPU s instead of about 100 at the same quality (0.972)
 * and F1 0.646 instead of 0.636 (docs/benchmarks/gan.md).
 */
export interface TvaeConfig {
  hidden: number;
  latent: number;
  learningRate: number;
  /** Weight of the reconstruction term against the KL term (SDV: 2). */
  lossFactor: number;
  /**
   * Sampling temperature of categories and modes: 0 takes the arg-max of the decoder's logits
   * (SDV's TVAE), above 0 draws from softmax(logits / temperature). Default 1: on full Adult it
   * raised quality 0.874 -> 0.973 at synthetic-trained F1 0.651 -> 0.636 (arg-max drops rare
   * categories and modes; docs/benchmarks/gan.md).
   */
  temperature: number;
  /** Add the learned per-column sigma as noise to sampled scalars (SDV's TVAE does). */
  scalarNoise: boolean;
  /** Compute the one-hot blocks' cross-entropy in a few fused ops instead of one slice per block. */
  fusedLoss: boolean;
}

export const TVAE_DEFAULTS: TvaeConfig = {
  hidden: 128,
  latent: 64,
  learningRate: 1e-3,
  lossFactor: 2,
  temperature: 1,
  scalarNoise: true,
  fusedLoss: true,
};

/**
 * TVAE (Xu et al. 2019): a variational autoencoder over the mode-normalised rows, with a Gaussian
 * likelihood and a learned per-column sigma for the continuous scalars and cross-entropy for every
 * one-hot block.
 */
export class Tvae implements Synthesizer {
  readonly name = 'tvae' as const;
  private readonly enc: Dense[];
  private readonly mu: Dense;
  private readonly logvar: Dense;
  private readonly dec: Dense[];
  private readonly sigma: tf.Variable;
  private readonly tanhMask: tf.Tensor1D;
  private readonly softSpans: Span[];
  /** d x blocks indicator of which one-hot block each output column belongs to (the fused cross-entropy). */
  private readonly blocks: tf.Tensor2D;
  /** Sizes and sampling settings (sampling ones may be changed between samples). */
  readonly config: TvaeConfig;
  /** The encoded training rows, kept for {@link Tvae.sampleNear}. */
  private trained?: Float32Array;

  constructor(
    readonly transformer: DataTransformer,
    seed: number,
    config: Partial<TvaeConfig> = {},
  ) {
    this.config = { ...TVAE_DEFAULTS, ...config };
    const rand = seededRandom(seed ^ 0x7a3e);
    const p = uniquePrefix('tvae');
    const { hidden: h, latent: z } = this.config;
    const d = transformer.dim;
    this.enc = [dense(p, 'enc1', d, h, rand), dense(p, 'enc2', h, h, rand)];
    this.mu = dense(p, 'mu', h, z, rand);
    this.logvar = dense(p, 'logvar', h, z, rand);
    this.dec = [dense(p, 'dec1', z, h, rand), dense(p, 'dec2', h, h, rand), dense(p, 'dec3', h, d, rand)];
    this.sigma = tf.variable(tf.fill([d], 0.1), true, `${p}/sigma`);
    const mask = new Float32Array(d);
    for (const s of transformer.spans) if (s.kind === 'tanh') mask[s.start] = 1;
    this.tanhMask = tf.tensor1d(mask);
    this.softSpans = transformer.spans.filter((s) => s.kind === 'softmax');
    const blocks = new Float32Array(d * this.softSpans.length);
    this.softSpans.forEach((s, k) => {
      for (let c = s.start; c < s.start + s.size; c++) blocks[c * this.softSpans.length + k] = 1;
    });
    this.blocks = tf.tensor2d(blocks, [d, this.softSpans.length]);
  }

  private get variables(): tf.Variable[] {
    return [...variablesOf([...this.enc, this.mu, this.logvar, ...this.dec]), this.sigma];
  }

  private decode(z: tf.Tensor2D): tf.Tensor2D {
    const h1 = tf.relu(apply(this.dec[0]!, z)) as tf.Tensor2D;
    const h2 = tf.relu(apply(this.dec[1]!, h1)) as tf.Tensor2D;
    return apply(this.dec[2]!, h2);
  }

  private loss(x: tf.Tensor2D, eps: tf.Tensor2D): { total: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar } {
    const b = x.shape[0];
    const h1 = tf.relu(apply(this.enc[0]!, x)) as tf.Tensor2D;
    const h2 = tf.relu(apply(this.enc[1]!, h1)) as tf.Tensor2D;
    const mu = apply(this.mu, h2);
    const logvar = apply(this.logvar, h2);
    const z = tf.add(mu, tf.mul(eps, tf.exp(tf.mul(logvar, 0.5)))) as tf.Tensor2D;
    const r = this.decode(z);
    // Gaussian likelihood of the tanh scalars with learned sigma.
    const diff = tf.sub(x, tf.tanh(r));
    const gauss = tf.sum(tf.mul(tf.div(tf.square(diff), tf.mul(tf.square(this.sigma), 2)), this.tanhMask));
    const logSigma = tf.mul(tf.sum(tf.mul(tf.log(this.sigma), this.tanhMask)), b);
    // Cross-entropy of each one-hot block: logsumexp(block) - logit of the true class.
    const picked = tf.sum(tf.mul(tf.mul(x, r), tf.sub(1, this.tanhMask)));
    const ce = tf.sub(this.config.fusedLoss ? this.blockLogSumExp(r) : this.sliceLogSumExp(r), picked);
    const recon = tf.div(tf.mul(tf.addN([gauss, logSigma, ce]), this.config.lossFactor), b) as tf.Scalar;
    const kl = tf.div(
      tf.mul(tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar))), -0.5),
      b,
    ) as tf.Scalar;
    return { total: tf.add(recon, kl) as tf.Scalar, recon, kl };
  }

  /** Sum over rows and blocks of logsumexp(block), one slice per block (many small ops). */
  private sliceLogSumExp(r: tf.Tensor2D): tf.Scalar {
    const b = r.shape[0];
    return tf.addN(
      this.softSpans.map((s) => tf.sum(tf.logSumExp(tf.slice(r, [0, s.start], [b, s.size]), 1))),
    ) as tf.Scalar;
  }

  /**
   * The same sum in a few ops (measured 10-15 % less CPU a training step on Adult than a slice per block): every
   * block's sum of exp(r - rowMax) comes from one matmul with the block indicator. Differences below
   * -60 are clipped so a block far under the row's max stays finite (its true logit still gets the
   * cross-entropy's push up).
   */
  private blockLogSumExp(r: tf.Tensor2D): tf.Scalar {
    const m = tf.max(r, 1, true);
    const e = tf.exp(tf.maximum(tf.sub(r, m), -60)) as tf.Tensor2D;
    const sums = matmul(e, this.blocks);
    return tf.add(tf.sum(tf.log(sums)), tf.mul(tf.sum(m), this.softSpans.length)) as tf.Scalar;
  }

  async fit(data: Float32Array, rowCount: number, o: TrainOptions) {
    this.trained = data;
    const rand = seededRandom(o.seed);
    const d = this.transformer.dim;
    const optimizer = tf.train.adam(this.config.learningRate);
    const vars = this.variables;
    const stopper = new EarlyStop(o.epochs, Math.ceil((rowCount - 1) / o.batchSize), o.patience, o.maxSeconds);
    let bestWeights: Float32Array[] | undefined;
    let epoch = 0;
    const order = Array.from({ length: rowCount }, (_, i) => i);
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      shuffle(order, rand);
      let sum = 0;
      let sumKl = 0;
      let batches = 0;
      for (let at = 0; at + 1 < rowCount; at += o.batchSize) {
        throwIfAborted(o.signal);
        const rows = order.slice(at, at + o.batchSize);
        const batch = new Float32Array(rows.length * d);
        rows.forEach((r, i) => {
          batch.set(data.subarray(r * d, (r + 1) * d), i * d);
        });
        const parts = tf.tidy(() => {
          const x = tf.tensor2d(batch, [rows.length, d]);
          const eps = normalNoise(rows.length, this.config.latent, rand);
          let kl: tf.Scalar | undefined;
          const cost = optimizer.minimize(
            () => {
              const l = this.loss(x, eps);
              kl = tf.keep(l.kl);
              return l.total;
            },
            true,
            vars,
          );
          this.sigma.assign(tf.clipByValue(this.sigma, 0.01, 1));
          return [cost!, kl!];
        });
        sum += (await parts[0]!.data())[0]!;
        sumKl += (await parts[1]!.data())[0]!;
        tf.dispose(parts);
        batches++;
      }
      const loss = sum / batches;
      o.onEpoch?.({ epoch, epochs: o.epochs, losses: { loss, kl: sumKl / batches } });
      await tick();
      const { improved, stop } = stopper.update(epoch, loss);
      if (improved && o.patience > 0) bestWeights = snapshot(vars);
      if (stop) break;
    }
    if (stopper.reason === 'patience' && bestWeights && stopper.afterBest) restore(vars, bestWeights);
    optimizer.dispose();
    return {
      epochs: Math.min(epoch, o.epochs),
      stoppedEarly: stopper.reason !== undefined,
      stopReason: stopper.reason,
    };
  }

  sample(n: number, rand: () => number): Float64Array[] {
    return this.output(
      tf.tidy(() => this.decode(normalNoise(n, this.config.latent, rand))),
      n,
      rand,
    );
  }

  /** Decoder output to rows: tanh on the scalars, one-hot logits read at the configured temperature. */
  private output(raw: tf.Tensor2D, n: number, rand: () => number): Float64Array[] {
    const out = tf.tidy(() => tf.add(tf.mul(tf.tanh(raw), this.tanhMask), tf.mul(raw, tf.sub(1, this.tanhMask))));
    raw.dispose();
    const data = out.dataSync() as Float32Array;
    out.dispose();
    const sigmas = this.sigma.dataSync();
    return this.transformer.decode(data, n, rand, {
      alphaNoise: this.config.scalarNoise ? (span) => sigmas[span.start]! : undefined,
      temperature: this.config.temperature,
    });
  }

  /**
   * Rows decoded from the latent posteriors of the training rows `rows`: a VAE's way to sample
   * rows like a group of real ones (a class, a condition) that the prior rarely reaches.
   */
  sampleNear(n: number, rand: () => number, rows: number[]): Float64Array[] {
    const data = this.trained;
    if (!data) throw new Error('TVAE must be trained before sampling.');
    if (rows.length === 0) throw new Error('sampleNear needs at least one training row.');
    const d = this.transformer.dim;
    const picked = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const r = rows[Math.floor(rand() * rows.length)]!;
      picked.set(data.subarray(r * d, (r + 1) * d), i * d);
    }
    const out = tf.tidy(() => {
      const x = tf.tensor2d(picked, [n, d]);
      const h = tf.relu(apply(this.enc[1]!, tf.relu(apply(this.enc[0]!, x)) as tf.Tensor2D)) as tf.Tensor2D;
      const std = tf.exp(tf.mul(apply(this.logvar, h), 0.5));
      const z = tf.add(apply(this.mu, h), tf.mul(normalNoise(n, this.config.latent, rand), std)) as tf.Tensor2D;
      return this.decode(z);
    });
    return this.output(out, n, rand);
  }

  dispose(): void {
    this.trained = undefined;
    tf.dispose([...this.variables, this.tanhMask, this.blocks]);
  }
}

/** Fisher-Yates shuffle in place from a seeded source. */
export function shuffle<T>(items: T[], rand: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
