import { initTf, tf } from '@hearth/ml';
import type { ChatModel } from '../../providers/types.js';
import { loadModelSource, saveModelFolder } from '../artifacts.js';
import { encodeTranscript, type Transcript } from '../data/chat.js';
import { type LlamaConfig, PRESETS, type PresetName, parseLlamaConfig } from '../model/config.js';
import { LlamaModel } from '../model/llama.js';
import { type Batch, type BatchSource, exampleBatches } from '../train/batches.js';
import { type TrainOptions, type TrainResult, train, weightedCrossEntropy } from '../train/loop.js';

/** Student size: a preset name or explicit dims; the vocabulary always comes from the teacher. */
export type StudentSpec = PresetName | Omit<Partial<LlamaConfig>, 'vocabSize'>;

function studentConfig(spec: StudentSpec, vocabSize: number): LlamaConfig {
  const dims = typeof spec === 'string' ? PRESETS[spec] : spec;
  if (!dims) throw new Error(`unknown student preset "${String(spec)}"`);
  return parseLlamaConfig({ ...PRESETS.tiny, ...dims, vocabSize });
}

/**
 * Logit-level distillation loss: `alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * CE(hard labels)`,
 * averaged over the batch's weighted positions. The teacher runs without gradients.
 */
export function distillationLoss(teacher: LlamaModel, temperature: number, alpha: number) {
  return (studentLogits: tf.Tensor3D, batch: Batch): tf.Scalar => {
    const v = studentLogits.shape[2];
    // A fresh tensor from the teacher's values keeps the teacher off the gradient tape.
    const raw = tf.tidy(() => teacher.forward(tf.tensor2d(batch.inputs, [batch.batchSize, batch.seqLen], 'int32')));
    const teacherLogits = tf.tensor(raw.dataSync(), raw.shape);
    raw.dispose();
    const pt = tf.softmax(tf.div(tf.reshape(teacherLogits, [-1, v]), temperature));
    const logPt = tf.logSoftmax(tf.div(tf.reshape(teacherLogits, [-1, v]), temperature));
    const logPs = tf.logSoftmax(tf.div(tf.reshape(studentLogits, [-1, v]), temperature));
    const kl = tf.sum(tf.mul(pt, tf.sub(logPt, logPs)), 1);
    const w = tf.tensor1d(batch.weights);
    const soft = tf.div(tf.sum(tf.mul(kl, w)), tf.maximum(tf.sum(w), 1));
    const hard = weightedCrossEntropy(studentLogits, batch);
    return tf.add(tf.mul(soft, alpha * temperature * temperature), tf.mul(hard, 1 - alpha)) as tf.Scalar;
  };
}

/** How closely a student follows its teacher on held-out batches. */
export interface DistillReport {
  teacherParameters: number;
  studentParameters: number;
  teacherPerplexity: number;
  studentPerplexity: number;
  /** Share of positions where the student's top token equals the teacher's. */
  top1Agreement: number;
  /** Teacher forward time / student forward time on the same batch. */
  speedup: number;
}

function params(m: LlamaModel): number {
  return [...m.weights.values()].reduce((s, v) => s + v.size, 0);
}

/** Compares student and teacher on held-out batches (perplexity, top-1 agreement, forward speed). */
export function compareModels(teacher: LlamaModel, student: LlamaModel, batches: Batch[]): DistillReport {
  let agree = 0;
  let total = 0;
  let nllT = 0;
  let nllS = 0;
  let weight = 0;
  let timeT = 0;
  let timeS = 0;
  for (const b of batches) {
    const ids = () => tf.tensor2d(b.inputs, [b.batchSize, b.seqLen], 'int32');
    const t0 = performance.now();
    const lt = tf.tidy(() => teacher.forward(ids()));
    lt.dataSync();
    const t1 = performance.now();
    const ls = tf.tidy(() => student.forward(ids()));
    ls.dataSync();
    timeS += performance.now() - t1;
    timeT += t1 - t0;
    const w = b.weights.reduce((a, x) => a + x, 0);
    nllT += tf.tidy(() => weightedCrossEntropy(lt, b).dataSync()[0]) * w;
    nllS += tf.tidy(() => weightedCrossEntropy(ls, b).dataSync()[0]) * w;
    weight += w;
    const at = tf.tidy(() => tf.argMax(lt, 2).dataSync());
    const as = tf.tidy(() => tf.argMax(ls, 2).dataSync());
    for (let i = 0; i < at.length; i++) {
      if (!b.weights[i]) continue;
      total++;
      if (at[i] === as[i]) agree++;
    }
    tf.dispose([lt, ls]);
  }
  return {
    teacherParameters: params(teacher),
    studentParameters: params(student),
    teacherPerplexity: Math.exp(nllT / Math.max(weight, 1)),
    studentPerplexity: Math.exp(nllS / Math.max(weight, 1)),
    top1Agreement: agree / Math.max(total, 1),
    speedup: timeT / Math.max(timeS, 1e-9),
  };
}

export interface LogitDistillOptions extends Omit<TrainOptions, 'trainable' | 'loss'> {
  /** Teacher model folder (local tfjs weights). */
  teacherDir: string;
  student: StudentSpec;
  /** Training batches in the teacher's tokenization (text windows or chat examples). */
  data: BatchSource;
  outDir: string;
  temperature?: number;
  /** Weight of the soft (KL) term; the rest goes to the hard-label loss. */
  alpha?: number;
  seed?: number;
}

/** Trains a fresh student on a local teacher's temperature-scaled logits plus hard labels. */
export async function distillLogits(options: LogitDistillOptions): Promise<TrainResult & { report: DistillReport }> {
  await initTf();
  const t = loadModelSource(options.teacherDir);
  const teacher = LlamaModel.fromWeights(t.config, t.weights);
  const student = LlamaModel.create(studentConfig(options.student, t.config.vocabSize), options.seed ?? 1);
  try {
    const result = await train(student, options.data, {
      ...options,
      trainable: 'base',
      loss: distillationLoss(teacher, options.temperature ?? 2, options.alpha ?? 0.5),
    });
    saveModelFolder(options.outDir, student.config, t.tokenizer, student.exportWeights());
    return { ...result, report: compareModels(teacher, student, options.data.validation(options.evalBatches ?? 4)) };
  } finally {
    teacher.dispose();
    student.dispose();
  }
}

/** Token-overlap F1 between two answers (whitespace words, case-insensitive). */
export function answerF1(a: string, b: string): number {
  const wa = a.toLowerCase().split(/\s+/).filter(Boolean);
  const wb = b.toLowerCase().split(/\s+/).filter(Boolean);
  if (!wa.length || !wb.length) return wa.length === wb.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of wb) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of wa) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (!common) return 0;
  const p = common / wa.length;
  const r = common / wb.length;
  return (2 * p * r) / (p + r);
}

export interface SequenceDistillOptions extends Omit<TrainOptions, 'trainable' | 'loss' | 'outDir'> {
  /** Any chat provider: remote HF, OpenAI-compatible, gguf or local. */
  teacher: ChatModel;
  /** Prompts as message lists (the teacher answers the last user turn). */
  prompts: Transcript['messages'][];
  /** Student start: a model folder (fine-tuned in place of a copy) whose tokenizer is used. */
  studentDir: string;
  outDir: string;
  batchSize?: number;
  seqLen?: number;
  seed?: number;
  maxTokens?: number;
}

/** Sequence-level distillation: the student fine-tunes on the teacher's answers to the prompts. */
export async function distillSequences(
  options: SequenceDistillOptions,
): Promise<TrainResult & { transcripts: Transcript[] }> {
  await initTf();
  const transcripts: Transcript[] = [];
  for (const messages of options.prompts) {
    const answer = await options.teacher.chat({
      messages,
      temperature: 0,
      maxTokens: options.maxTokens ?? 96,
      seed: options.seed,
    });
    transcripts.push({ messages: [...messages, { role: 'assistant', content: answer.text.trim() }] });
  }
  const s = loadModelSource(options.studentDir);
  const data = exampleBatches(
    transcripts.map((t) => encodeTranscript(s.tokenizer, t)),
    options.batchSize ?? 8,
    options.seqLen ?? s.config.contextLength,
    options.seed ?? 1,
    s.tokenizer.eos,
  );
  const student = LlamaModel.fromWeights(s.config, s.weights);
  try {
    const result = await train(student, data, {
      learningRate: 1e-3,
      ...options,
      trainable: 'base',
      outDir: options.outDir,
    });
    saveModelFolder(options.outDir, s.config, s.tokenizer, student.exportWeights());
    return { ...result, transcripts };
  } finally {
    student.dispose();
  }
}
