import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@hearth/ml';
import type { LlamaModel } from '../model/llama.js';
import type { Batch, BatchSource } from './batches.js';
import { type LossPoint, writeLossCurve } from './loss-curve.js';
import { type NamedTensor, readSafetensors, writeSafetensors } from './safetensors.js';

/** Progress of a training run, reported after every step. */
export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  valLoss?: number;
  tokensPerSecond: number;
  etaSeconds: number;
}

export interface TrainOptions {
  /** Length of the schedule (warmup + cosine decay). */
  steps: number;
  /** Stop (after checkpointing) once this step is reached, keeping the schedule of `steps`. */
  stopAt?: number;
  learningRate?: number;
  warmupSteps?: number;
  /** Clip the global gradient norm to this value. */
  clipNorm?: number;
  /** Train the base weights or only attached LoRA matrices (base frozen). */
  trainable?: 'base' | 'lora';
  evalEvery?: number;
  evalBatches?: number;
  /** Folder for `checkpoint.safetensors`, `metrics.json` and `loss.png`; training resumes from it. */
  outDir?: string;
  checkpointEvery?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Training loss (default: weighted next-token cross-entropy); validation always uses cross-entropy. */
  loss?: (logits: tf.Tensor3D, batch: Batch) => tf.Scalar;
}

export interface TrainResult {
  steps: number;
  trainLoss: number;
  valLoss: number;
  valPerplexity: number;
  tokensPerSecond: number;
  history: { train: LossPoint[]; val: LossPoint[] };
}

/** Mean cross-entropy of `logits [b,t,v]` against targets, weighted per token. */
export function weightedCrossEntropy(logits: tf.Tensor3D, batch: Batch): tf.Scalar {
  const v = logits.shape[2];
  const logp = tf.logSoftmax(tf.reshape(logits, [-1, v]));
  const hot = tf.oneHot(tf.tensor1d(batch.targets, 'int32'), v);
  const nll = tf.neg(tf.sum(tf.mul(logp, hot), 1));
  const w = tf.tensor1d(batch.weights);
  return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar;
}

/** Validation loss over fixed held-out batches. */
export function evaluate(model: LlamaModel, batches: Batch[]): number {
  let total = 0;
  let weight = 0;
  for (const b of batches) {
    const w = b.weights.reduce((a, x) => a + x, 0);
    total += tf.tidy(() => weightedCrossEntropy(model.forward(ids(b.inputs, b), undefined), b).dataSync()[0]) * w;
    weight += w;
  }
  return total / Math.max(weight, 1);
}

function ids(data: Int32Array, b: Batch): tf.Tensor2D {
  return tf.tensor2d(data, [b.batchSize, b.seqLen], 'int32');
}

/**
 * Trains with Adam (warmup then cosine decay, global-norm clipping). With `outDir`, it saves a
 * resumable checkpoint (weights, optimizer state, step, history) and a PNG loss curve.
 */
export async function train(model: LlamaModel, data: BatchSource, options: TrainOptions): Promise<TrainResult> {
  const { steps, learningRate = 3e-3, warmupSteps = Math.min(100, Math.ceil(steps / 10)), clipNorm = 1 } = options;
  const evalEvery = options.evalEvery ?? Math.max(1, Math.floor(steps / 10));
  const which = options.trainable ?? 'base';
  const vars = model.trainableVariables(which);
  const optimizer = tf.train.adam(learningRate, 0.9, 0.95, 1e-8);
  const valBatches = data.validation(options.evalBatches ?? 4);
  const history: TrainResult['history'] = { train: [], val: [] };
  let step = 0;
  const ckpt = options.outDir ? join(options.outDir, 'checkpoint.safetensors') : undefined;
  if (options.outDir) mkdirSync(options.outDir, { recursive: true });
  if (ckpt && existsSync(ckpt)) {
    step = await restore(ckpt, model, vars, optimizer, history, which);
    for (let i = 0; i < step; i++) data.next(); // replay the data order so a resumed run matches an unbroken one
  }

  // a resumed run that is already complete reports the loss it ended with
  let trainLoss = history.train.at(-1)?.loss ?? Number.NaN;
  let valLoss = history.val.at(-1)?.loss ?? Number.NaN;
  const started = performance.now();
  const firstStep = step;
  const save = async () => {
    if (!ckpt || !options.outDir) return;
    await checkpoint(ckpt, model, vars, optimizer, step, history, which);
    writeFileSync(
      join(options.outDir, 'metrics.json'),
      `${JSON.stringify({ step, trainLoss, valLoss, valPerplexity: Math.exp(valLoss) }, null, 2)}\n`,
    );
    if (history.train.length > 1) writeLossCurve(join(options.outDir, 'loss.png'), history.train, history.val);
  };
  const lastStep = Math.min(steps, options.stopAt ?? steps);
  while (step < lastStep) {
    if (options.signal?.aborted) break;
    const lr =
      step < warmupSteps
        ? (learningRate * (step + 1)) / warmupSteps
        : learningRate *
          (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (step - warmupSteps)) / Math.max(1, steps - warmupSteps))));
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const batch = data.next();
    const loss = tf.tidy(() => {
      const lossFn = options.loss ?? weightedCrossEntropy;
      const { value, grads } = tf.variableGrads(() => lossFn(model.forward(ids(batch.inputs, batch)), batch), vars);
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const factor = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
      optimizer.applyGradients(names.map((name) => ({ name, tensor: tf.mul(grads[name], factor) })));
      return value.dataSync()[0];
    });
    step++;
    trainLoss = loss;
    if (!Number.isFinite(loss))
      throw new Error(`training diverged at step ${step} (loss ${loss}); lower the learning rate`);
    history.train.push({ step, loss });
    if (step % evalEvery === 0 || step === lastStep) {
      valLoss = evaluate(model, valBatches);
      history.val.push({ step, loss: valLoss });
    }
    const seconds = (performance.now() - started) / 1000;
    const tps = ((step - firstStep) * data.tokensPerBatch) / Math.max(seconds, 1e-9);
    const eta = ((lastStep - step) * seconds) / Math.max(1, step - firstStep);
    options.onProgress?.({
      step,
      steps: lastStep,
      loss,
      valLoss: Number.isNaN(valLoss) ? undefined : valLoss,
      tokensPerSecond: tps,
      etaSeconds: eta,
    });
    if (options.checkpointEvery && step % options.checkpointEvery === 0) await save();
    await new Promise((r) => setImmediate(r)); // let signals and progress rendering run
  }
  if (Number.isNaN(valLoss)) valLoss = evaluate(model, valBatches);
  await save();
  const seconds = (performance.now() - started) / 1000;
  optimizer.dispose();
  return {
    steps: step,
    trainLoss,
    valLoss,
    valPerplexity: Math.exp(valLoss),
    tokensPerSecond: ((step - firstStep) * data.tokensPerBatch) / Math.max(seconds, 1e-9),
    history,
  };
}

async function checkpoint(
  path: string,
  model: LlamaModel,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
  step: number,
  history: TrainResult['history'],
  which: 'base' | 'lora',
): Promise<void> {
  const tensors: Record<string, NamedTensor> = {};
  const stripped = (v: tf.Variable) => v.name.slice(v.name.indexOf('/') + 1);
  if (which === 'base') for (const [name, w] of Object.entries(model.exportWeights())) tensors[`model.${name}`] = w;
  else
    for (const v of vars) tensors[`lora.${stripped(v)}`] = { data: v.dataSync() as Float32Array, shape: [...v.shape] };
  const opt = await optimizer.getWeights();
  opt.forEach((w, i) => {
    tensors[`optimizer.${String(i).padStart(4, '0')}`] = {
      data: Float32Array.from(w.tensor.dataSync() as Float32Array),
      shape: [...w.tensor.shape],
    };
  });
  writeSafetensors(path, tensors, { step: String(step), history: JSON.stringify(history), trainable: which });
}

async function restore(
  path: string,
  model: LlamaModel,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
  history: TrainResult['history'],
  which: 'base' | 'lora',
): Promise<number> {
  const { tensors, metadata } = readSafetensors(path);
  if ((metadata.trainable ?? 'base') !== which)
    throw new Error(`${path} is a ${metadata.trainable} checkpoint, not ${which}`);
  const stripped = (v: tf.Variable) => v.name.slice(v.name.indexOf('/') + 1);
  if (which === 'base') {
    for (const [name, v] of model.weights) {
      const t = tensors[`model.${name}`];
      if (!t) throw new Error(`${path}: checkpoint lacks ${name} (different config?)`);
      v.assign(tf.tensor(t.data, v.shape));
    }
  } else {
    for (const v of vars) {
      const t = tensors[`lora.${stripped(v)}`];
      if (!t) throw new Error(`${path}: checkpoint lacks LoRA ${stripped(v)}`);
      v.assign(tf.tensor(t.data, v.shape));
    }
  }
  const optNames = Object.keys(tensors)
    .filter((n) => n.startsWith('optimizer.'))
    .sort();
  if (optNames.length > 0) {
    // Adam keeps its moments positionally, in the order of the variables it updates.
    await optimizer.setWeights(
      optNames.map((n) => ({ name: n, tensor: tf.tensor(tensors[n].data, tensors[n].shape) })),
    );
  }
  const saved = JSON.parse(metadata.history ?? '{"train":[],"val":[]}') as TrainResult['history'];
  history.train.push(...saved.train);
  history.val.push(...saved.val);
  return Number(metadata.step ?? 0);
}
