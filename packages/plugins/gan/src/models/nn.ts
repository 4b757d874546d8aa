import { gaussian, tf } from '@hearth/ml';

/**
 * Small dense-network helpers on tfjs-wasm. matMul's built-in gradient uses transpose flags,
 * about 10x slower on wasm, so `matmul` computes its gradients with explicit transposes.
 */
export const matmul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const x = a as tf.Tensor2D;
  const w = b as tf.Tensor2D;
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
      tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
  // biome-ignore lint/suspicious/noExplicitAny: tfjs types customGrad's callback loosely
}) as any) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** A fully connected layer's weights. */
export interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

let modelCounter = 0;

/** Unique variable-name prefix per model instance (tfjs variable names are global). */
export function uniquePrefix(kind: string): string {
  modelCounter += 1;
  return `gan_${kind}_${modelCounter}_${Date.now().toString(36)}`;
}

/** A dense layer with PyTorch-style uniform init (bound 1/sqrt(fanIn)) drawn from the seeded source. */
export function dense(prefix: string, name: string, fanIn: number, fanOut: number, rand: () => number): Dense {
  const bound = 1 / Math.sqrt(fanIn);
  const w = Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * bound);
  const b = Float32Array.from({ length: fanOut }, () => (rand() * 2 - 1) * bound);
  return {
    w: tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true, `${prefix}/${name}/w`),
    b: tf.variable(tf.tensor1d(b), true, `${prefix}/${name}/b`),
  };
}

/** x W + b. */
export function apply(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matmul(x, layer.w as tf.Tensor2D), layer.b) as tf.Tensor2D;
}

/** Standard normal noise of a shape, from the seeded source (so runs repeat exactly). */
export function normalNoise(rows: number, cols: number, rand: () => number): tf.Tensor2D {
  const g = gaussian(rand);
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, g), [rows, cols]);
}

/** Every variable of a list of layers. */
export function variablesOf(layers: Dense[]): tf.Variable[] {
  return layers.flatMap((l) => [l.w, l.b]);
}

/** Snapshot / restore of variables, used for early stopping's best checkpoint. */
export function snapshot(vars: tf.Variable[]): Float32Array[] {
  return vars.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
}
export function restore(vars: tf.Variable[], values: Float32Array[]): void {
  vars.forEach((v, i) => {
    v.assign(tf.tensor(values[i]!, v.shape));
  });
}

/** Yields to the event loop so cancellation and progress get through during training. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
