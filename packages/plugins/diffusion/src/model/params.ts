import { gaussian, seededRandom, tf } from '@hearth/ml';

let instances = 0;

/**
 * The trainable tensors of one model, by name. tfjs variable names are global, so each instance
 * prefixes its own. Initialisation is seeded.
 */
export class Params {
  readonly vars = new Map<string, tf.Variable>();
  private readonly prefix = `diffusion${++instances}`;
  private readonly normal: () => number;

  constructor(seed: number) {
    this.normal = gaussian(seededRandom(seed));
  }

  /** A weight with He-style scaled normal initialisation (`fanIn` inputs), or zeros/ones. */
  create(name: string, shape: number[], init: 'he' | 'zeros' | 'ones' | { std: number }, fanIn = 1): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init !== 'zeros') {
      const std = init === 'he' ? Math.sqrt(2 / fanIn) : init.std;
      for (let i = 0; i < size; i++) values[i] = this.normal() * std;
    }
    const v = tf.variable(tf.tensor(values, shape), true, `${this.prefix}/${name}`);
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter ${name}`);
    return v;
  }

  /** Number of scalar weights. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Copies values from a name -> Float32Array map (loaded weights); shapes must match. */
  assign(values: Map<string, { shape: number[]; data: Float32Array }>): void {
    for (const [name, v] of this.vars) {
      const src = values.get(name);
      if (!src) throw new Error(`weights file lacks parameter ${name}`);
      if (src.shape.join('x') !== v.shape.join('x')) {
        throw new Error(
          `parameter ${name}: weights have shape ${src.shape.join('x')}, model expects ${v.shape.join('x')}`,
        );
      }
      v.assign(tf.tensor(src.data, src.shape));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
