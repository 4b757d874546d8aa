import { seededRandom, tf } from '@hearth/ml';
import type { DataTransformer, Span } from '../transform/transformer.js';
import { CondSampler } from './cond.js';
import { apply, type Dense, dense, normalNoise, restore, snapshot, tick, uniquePrefix, variablesOf } from './nn.js';
import { EarlyStop } from './stopping.js';
import { shuffle } from './tvae.js';
import { type Synthesizer, type TrainOptions, throwIfAborted } from './types.js';

/** CTGAN sizes (SDV defaults: 128-d noise, 256-256 residual generator and discriminator, pac 10). */
export interface CtganConfig {
  noise: number;
  hidden: number;
  pac: number;
  learningRate: number;
  gradientPenalty: number;
}

export const CTGAN_DEFAULTS: CtganConfig = {
  noise: 128,
  hidden: 256,
  pac: 10,
  learningRate: 2e-4,
  gradientPenalty: 10,
};

/**
 * CTGAN (Xu et al. 2019): a conditional WGAN-GP. The generator (residual blocks with batch norm)
 * emits tanh scalars and Gumbel-softmax one-hots; the discriminator sees `pac` rows at once
 * (PacGAN) with dropout; a conditional vector with training-by-sampling balances categories, and
 * a cross-entropy term makes the generator honour it.
 */
export class Ctgan implements Synthesizer {
  readonly name = 'ctgan' as const;
  private readonly gen: Dense[];
  private readonly bn: { gamma: tf.Variable; beta: tf.Variable }[];
  private readonly disc: Dense[];
  private cond?: CondSampler;
  private readonly rand: () => number;

  constructor(
    readonly transformer: DataTransformer,
    seed: number,
    private readonly config: CtganConfig = CTGAN_DEFAULTS,
  ) {
    this.rand = seededRandom(seed ^ 0x5c7a);
    const p = uniquePrefix('ctgan');
    const { noise, hidden: h, pac } = config;
    const d = transformer.dim;
    const c = transformer.discreteSpans.reduce((a, s) => a + s.size, 0);
    const r = this.rand;
    this.gen = [
      dense(p, 'g1', noise + c, h, r),
      dense(p, 'g2', noise + c + h, h, r),
      dense(p, 'g3', noise + c + 2 * h, d, r),
    ];
    this.bn = [0, 1].map((i) => ({
      gamma: tf.variable(tf.ones([h]), true, `${p}/bn${i}/gamma`),
      beta: tf.variable(tf.zeros([h]), true, `${p}/bn${i}/beta`),
    }));
    this.disc = [dense(p, 'd1', (d + c) * pac, h, r), dense(p, 'd2', h, h, r), dense(p, 'd3', h, 1, r)];
  }

  private get genVars(): tf.Variable[] {
    return [...variablesOf(this.gen), ...this.bn.flatMap((b) => [b.gamma, b.beta])];
  }

  /** Raw generator output (pre-activation). */
  private generate(z: tf.Tensor2D): tf.Tensor2D {
    let x = z;
    for (let i = 0; i < 2; i++) {
      const h = apply(this.gen[i]!, x);
      const { mean, variance } = tf.moments(h, 0);
      const normed = tf.add(
        tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), this.bn[i]!.gamma),
        this.bn[i]!.beta,
      );
      x = tf.concat([tf.relu(normed) as tf.Tensor2D, x], 1);
    }
    return apply(this.gen[2]!, x);
  }

  /** tanh for scalars, Gumbel-softmax (tau 0.2) for one-hot blocks, with noise from `gumbel`. */
  private activate(raw: tf.Tensor2D, gumbel: tf.Tensor2D): tf.Tensor2D {
    const parts = this.transformer.spans.map((s) => {
      const slice = tf.slice(raw, [0, s.start], [raw.shape[0], s.size]);
      if (s.kind === 'tanh') return tf.tanh(slice);
      return tf.softmax(tf.div(tf.add(slice, tf.slice(gumbel, [0, s.start], [raw.shape[0], s.size])), 0.2));
    });
    return tf.concat(parts, 1) as tf.Tensor2D;
  }

  private discriminate(x: tf.Tensor2D, dropMasks: tf.Tensor2D[]): tf.Tensor2D {
    const packed = tf.reshape(x, [x.shape[0] / this.config.pac, x.shape[1] * this.config.pac]) as tf.Tensor2D;
    const h1 = tf.mul(leaky(apply(this.disc[0]!, packed)), dropMasks[0]!) as tf.Tensor2D;
    const h2 = tf.mul(leaky(apply(this.disc[1]!, h1)), dropMasks[1]!) as tf.Tensor2D;
    return apply(this.disc[2]!, h2);
  }

  private dropout(rows: number): tf.Tensor2D[] {
    const h = this.config.hidden;
    return [0, 1].map(() =>
      tf.tensor2d(
        Float32Array.from({ length: rows * h }, () => (this.rand() < 0.5 ? 2 : 0)),
        [rows, h],
      ),
    );
  }

  private gumbel(rows: number): tf.Tensor2D {
    const d = this.transformer.dim;
    return tf.tensor2d(
      Float32Array.from({ length: rows * d }, () => -Math.log(-Math.log(Math.max(this.rand(), 1e-10)) + 1e-10)),
      [rows, d],
    );
  }

  async fit(data: Float32Array, rowCount: number, o: TrainOptions) {
    const { pac, learningRate: lr } = this.config;
    const rand = seededRandom(o.seed);
    const d = this.transformer.dim;
    const batch = Math.max(pac, Math.floor(o.batchSize / pac) * pac);
    this.cond = new CondSampler(this.transformer, data, rowCount);
    const cond = this.cond;
    const optG = tf.train.adam(lr, 0.5, 0.9);
    const optD = tf.train.adam(lr, 0.5, 0.9);
    const genVars = this.genVars;
    const discVars = variablesOf(this.disc);
    let bestWeights: Float32Array[] | undefined;
    let epoch = 0;
    const steps = Math.max(1, Math.floor(rowCount / batch));
    const stopper = new EarlyStop(o.epochs, steps, o.patience, o.maxSeconds);
    const order = Array.from({ length: rowCount }, (_, i) => i);
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      let sumG = 0;
      let sumD = 0;
      for (let step = 0; step < steps; step++) {
        throwIfAborted(o.signal);
        const hasCond = cond.dim > 0;
        const s = hasCond ? cond.sampleTrain(batch, rand) : undefined;
        if (!hasCond) shuffle(order, rand);
        const realRows = s ? s.realRows : order.slice(0, batch);
        const real = new Float32Array(batch * d);
        realRows.forEach((r, i) => {
          real.set(data.subarray(r * d, (r + 1) * d), i * d);
        });
        const losses = tf.tidy(() => {
          const c = s ? tf.tensor2d(s.cond, [batch, cond.dim]) : undefined;
          const withCond = (x: tf.Tensor2D, cc?: tf.Tensor2D) => (cc ? (tf.concat([x, cc], 1) as tf.Tensor2D) : x);
          const realCat = withCond(
            tf.tensor2d(real, [batch, d]),
            s ? tf.tensor2d(s.realCond, [batch, cond.dim]) : undefined,
          );
          // Discriminator step: Wasserstein loss plus gradient penalty on interpolated packs.
          const z = withCond(normalNoise(batch, this.config.noise, rand), c);
          const fakeCat = tf.keep(withCond(this.activate(this.generate(z), this.gumbel(batch)), c));
          const masks = this.dropout(batch / pac);
          const alphaPack = Float32Array.from({ length: batch / pac }, () => rand());
          const alpha = tf.reshape(tf.tile(tf.tensor2d(alphaPack, [batch / pac, 1]), [1, pac]), [batch, 1]);
          const interp = tf.add(tf.mul(realCat, alpha), tf.mul(fakeCat, tf.sub(1, alpha))) as tf.Tensor2D;
          const lossD = optD.minimize(
            () => {
              const wd = tf.sub(tf.mean(this.discriminate(fakeCat, masks)), tf.mean(this.discriminate(realCat, masks)));
              const grad = tf.grad((x: tf.Tensor) => tf.sum(this.discriminate(x as tf.Tensor2D, masks)))(interp);
              const packed = tf.reshape(grad, [batch / pac, grad.shape[1]! * pac]);
              const norm = tf.sqrt(tf.add(tf.sum(tf.square(packed), 1), 1e-12));
              const gp = tf.mul(tf.mean(tf.square(tf.sub(norm, 1))), this.config.gradientPenalty);
              return tf.add(wd, gp) as tf.Scalar;
            },
            true,
            discVars,
          );
          // Generator step: fool the discriminator and honour the conditional vector.
          const z2 = withCond(normalNoise(batch, this.config.noise, rand), c);
          const g2 = this.gumbel(batch);
          const masks2 = this.dropout(batch / pac);
          const lossG = optG.minimize(
            () => {
              const raw = this.generate(z2);
              const fake = withCond(this.activate(raw, g2), c);
              const adv = tf.neg(tf.mean(this.discriminate(fake, masks2)));
              if (!s) return adv as tf.Scalar;
              return tf.add(adv, this.condLoss(raw, s.cond, s.mask, batch)) as tf.Scalar;
            },
            true,
            genVars,
          );
          return [lossG!, lossD!];
        });
        sumG += (await losses[0]!.data())[0]!;
        sumD += (await losses[1]!.data())[0]!;
        tf.dispose(losses);
      }
      const lossG = sumG / steps;
      o.onEpoch?.({ epoch, epochs: o.epochs, losses: { generator: lossG, discriminator: sumD / steps } });
      await tick();
      // GAN losses are not monotone; early stopping watches the generator loss's running best.
      const { improved, stop } = stopper.update(epoch, lossG);
      if (improved && o.patience > 0) bestWeights = snapshot(genVars);
      if (stop) break;
    }
    if (stopper.reason === 'patience' && bestWeights && stopper.afterBest) restore(genVars, bestWeights);
    optG.dispose();
    optD.dispose();
    return {
      epochs: Math.min(epoch, o.epochs),
      stoppedEarly: stopper.reason !== undefined,
      stopReason: stopper.reason,
    };
  }

  /** Cross-entropy between the generator's logits for the chosen column and the requested category. */
  private condLoss(raw: tf.Tensor2D, condArr: Float32Array, maskArr: Float32Array, batch: number): tf.Scalar {
    const spans = this.cond!.spans;
    const mask = tf.tensor2d(maskArr, [batch, spans.length]);
    const condT = tf.tensor2d(condArr, [batch, this.cond!.dim]);
    let offset = 0;
    const terms = spans.map((s: Span, i) => {
      const logits = tf.slice(raw, [0, s.start], [batch, s.size]);
      const target = tf.slice(condT, [0, offset], [batch, s.size]);
      offset += s.size;
      const ce = tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, target), 1));
      return tf.mul(ce, tf.reshape(tf.slice(mask, [0, i], [batch, 1]), [batch]));
    });
    return tf.div(tf.sum(tf.addN(terms)), batch) as tf.Scalar;
  }

  sample(n: number, rand: () => number, condition?: { column: number; category: number }): Float64Array[] {
    const cond = this.cond;
    if (!cond) throw new Error('CTGAN must be trained before sampling.');
    const spanIndex = condition ? cond.spanOf(condition.column) : -1;
    const chunks: Float32Array[] = [];
    const d = this.transformer.dim;
    // Batch statistics at sampling time, in batches as large as training's.
    for (let at = 0; at < n; at += 1000) {
      const rows = Math.min(1000, n - at);
      const b = Math.max(rows, 100);
      const out = tf.tidy(() => {
        const z = normalNoise(b, this.config.noise, rand);
        const c =
          cond.dim > 0
            ? tf.tensor2d(
                cond.sampleGenerate(b, rand, spanIndex >= 0 ? { spanIndex, category: condition!.category } : undefined),
                [b, cond.dim],
              )
            : undefined;
        const raw = this.generate(c ? (tf.concat([z, c], 1) as tf.Tensor2D) : z);
        return this.activate(raw, this.gumbel(b));
      });
      chunks.push((out.dataSync() as Float32Array).slice(0, rows * d));
      out.dispose();
    }
    const all = new Float32Array(n * d);
    chunks.forEach((c, i) => {
      all.set(c, i * 1000 * d);
    });
    return this.transformer.decode(all, n, rand);
  }

  dispose(): void {
    tf.dispose([...this.genVars, ...variablesOf(this.disc)]);
  }
}

/**
 * LeakyReLU(0.2) written as 0.6x + 0.4|x|: tfjs's own leakyRelu gradient has no second derivative,
 * which the gradient penalty needs.
 */
function leaky(x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.mul(x, 0.6), tf.mul(tf.abs(x), 0.4)) as tf.Tensor2D;
}
