/**
 * Diffusion plugin benchmark: seconds per image for 20 DDIM steps with classifier-free guidance
 * (the tool's default) at 16x16 and 32x32, batch 1 and 16, and training steps per second of the
 * shipped model shapes. Sampling speed does not depend on the weights, so freshly initialised
 * U-Nets of the shipped shape are timed (32x32 is the scenes shape at twice the side).
 * Baselines in the same process: batch 1 for sampling, and for training the same step with
 * tfjs's own conv2d autograd instead of the custom gradients.
 */
import { loadavg } from 'node:os';
import { initTf, seededRandom, tf } from '../packages/ml/src/index.js';
import { defaultConfig, digitsDataset, scenesDataset } from '../packages/plugins/diffusion/src/data/datasets.js';
import { parseScene, type SceneSpec } from '../packages/plugins/diffusion/src/data/scenes.js';
import {
  COMPOSERS,
  type SceneSampleOptions,
  sampleScenes,
} from '../packages/plugins/diffusion/src/diffusion/compose.js';
import { sample } from '../packages/plugins/diffusion/src/diffusion/sampler.js';
import { Trainer } from '../packages/plugins/diffusion/src/diffusion/train-step.js';
import { tokenize, VOCABULARY } from '../packages/plugins/diffusion/src/model/text.js';
import { UNet } from '../packages/plugins/diffusion/src/model/unet.js';

const REPS = Number(process.env.DIFFUSION_BENCH_REPS ?? 3);

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] };
}

async function timeSampling(model: UNet, batch: number): Promise<number[]> {
  const tokens = new Int32Array(batch * model.config.maxTokens).fill(13);
  const times: number[] = [];
  for (let r = 0; r <= REPS; r++) {
    const t0 = performance.now();
    await sample(model, { tokens, count: batch, steps: 20, guidance: 3, seed: r });
    if (r > 0) times.push((performance.now() - t0) / 1000 / batch); // first run warms up
  }
  return times;
}

async function timeTraining(model: UNet, dataset: typeof digitsDataset, steps: number): Promise<number> {
  const rand = seededRandom(1);
  const trainer = new Trainer(model, rand, 1e-3);
  await trainer.step(dataset.batch(rand, 16, model.config.maxTokens));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainer.step(dataset.batch(rand, 16, model.config.maxTokens));
  const perSecond = steps / ((performance.now() - t0) / 1000);
  for (const v of trainer.ema.values()) v.dispose();
  trainer.optimizer.dispose();
  return perSecond;
}

export async function run(): Promise<string> {
  await initTf();
  const lines = [
    '## diffusion',
    '',
    `Backend ${tf.getBackend()}, load average at start ${loadavg()[0].toFixed(1)} (2-core machine shared with other jobs: absolute times are upper bounds). ${REPS} timed runs after one warm-up; 20 DDIM steps, guidance 3 (conditional + unconditional pass per step).`,
    '',
    '| image | batch | s/image median | s/image p95 | vs batch 1 |',
    '| --- | --- | --- | --- | --- |',
  ];
  const base = defaultConfig(scenesDataset, VOCABULARY.length);
  for (const size of [16, 32]) {
    const model = new UNet({ ...base, size }, 1);
    const single = stats(await timeSampling(model, 1));
    const batched = stats(await timeSampling(model, 16));
    lines.push(`| ${size}x${size} RGB | 1 | ${single.median.toFixed(3)} | ${single.p95.toFixed(3)} | 1.00 |`);
    lines.push(
      `| ${size}x${size} RGB | 16 | ${batched.median.toFixed(3)} | ${batched.p95.toFixed(3)} | ${(single.median / batched.median).toFixed(2)}x faster |`,
    );
    model.params.dispose();
  }
  // Scene prompts: the composers cost one sampling pass per object (layout) or three predictions a
  // step (regions); reranking K candidates costs K passes per object plus 3 x 3 error predictions each.
  const scenes = new UNet(base, 1);
  const pair = parseScene(tokenize('a big red circle above a blue square').words) as SceneSpec;
  lines.push(
    '',
    '| scene prompt (two objects), 16x16, batch 1 | s/image median | vs whole prompt |',
    '| --- | --- | --- |',
  );
  const medians: Record<string, number> = {};
  // The object model has the scenes model's shape (it is fine-tuned from it): time a fresh one.
  const objects = new UNet(base, 2);
  const variants: [string, SceneSampleOptions['composer'], number?][] = [
    ...COMPOSERS.map((c): [string, SceneSampleOptions['composer']] => [c, c]),
    ['layout+objects', 'layout', 1],
    ['layout+objects+rerank4', 'layout', 4],
  ];
  for (const [name, composer, candidates] of variants) {
    const times: number[] = [];
    for (let r = 0; r <= REPS; r++) {
      const t0 = performance.now();
      const objectModel = candidates ? objects : undefined;
      await sampleScenes(scenes, [pair], { steps: 20, guidance: 3, seed: r, composer, objectModel, candidates });
      if (r > 0) times.push((performance.now() - t0) / 1000);
    }
    medians[name] = stats(times).median;
    lines.push(`| ${name} | ${medians[name].toFixed(3)} | ${(medians[name] / medians.whole).toFixed(2)}x |`);
  }
  objects.params.dispose();
  scenes.params.dispose();
  lines.push('', '| training (batch 16) | params | steps/s |', '| --- | --- | --- |');
  for (const dataset of [digitsDataset, scenesDataset]) {
    const model = new UNet(defaultConfig(dataset, VOCABULARY.length), 1);
    const rate = await timeTraining(model, dataset, Math.max(3, REPS * 2));
    lines.push(
      `| ${dataset.name} ${dataset.size}x${dataset.size}x${dataset.channels}, custom conv gradients | ${model.params.count()} | ${rate.toFixed(2)} |`,
    );
    model.params.dispose();
  }
  // Baseline: tfjs's own conv2d gradient on wasm (no Conv2DBackpropFilter kernel there).
  try {
    const x = tf.variable(tf.randomNormal([16, 16, 16, 32]));
    const w = tf.variable(tf.randomNormal([3, 3, 32, 32]));
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]);
    lines.push('', 'Baseline: tfjs autograd through tf.conv2d ran on wasm.');
  } catch (err) {
    lines.push(
      '',
      `Baseline: tfjs's own conv2d gradient fails on wasm (${(err as Error).message.split('\n')[0].slice(0, 120)}), so the custom gradients are required, not just faster.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
