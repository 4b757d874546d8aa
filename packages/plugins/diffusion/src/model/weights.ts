/**
 * Weight files: `<name>.json` (format, model config, training record, tensor table) next to
 * `<name>.bin` (little-endian float32 values in table order).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { tf } from '@hearth/ml';
import type { UNetConfig } from './unet.js';

export const WEIGHTS_FORMAT = 'hearth-diffusion-weights/1';

export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  /** `digits` or `scenes`. */
  dataset: string;
  config: UNetConfig;
  /** How the weights were made: seed, steps, batch, loss, command. */
  training: Record<string, unknown>;
  tensors: { name: string; shape: number[]; offset: number }[];
}

export type TensorValues = Map<string, { shape: number[]; data: Float32Array }>;

/** Writes `values` (e.g. the EMA weights) to `<base>.json` and `<base>.bin`. */
export async function saveWeights(
  base: string,
  meta: Omit<WeightsManifest, 'tensors' | 'format'>,
  values: Map<string, tf.Tensor>,
): Promise<void> {
  const tensors: WeightsManifest['tensors'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, t] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
    const data = (await t.data()) as Float32Array;
    tensors.push({ name, shape: t.shape, offset });
    chunks.push(data);
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  const manifest: WeightsManifest = { format: WEIGHTS_FORMAT, ...meta, tensors };
  await writeFile(`${base}.bin`, new Uint8Array(all.buffer));
  await writeFile(`${base}.json`, `${JSON.stringify(manifest, null, 1)}\n`);
}

/** Reads a weights pair; throws a clear error for a wrong format or a truncated file. */
export async function loadWeights(base: string): Promise<{ manifest: WeightsManifest; values: TensorValues }> {
  const text = await readFile(`${base}.json`, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
    throw new Error(`no diffusion weights at ${base}.json; create them with \`hearth diffusion train --out <dir>\``);
  });
  const manifest = JSON.parse(text) as WeightsManifest;
  if (manifest.format !== WEIGHTS_FORMAT) throw new Error(`${base}.json is not a ${WEIGHTS_FORMAT} file`);
  const bytes = await readFile(`${base}.bin`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const values: TensorValues = new Map();
  for (const t of manifest.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + size > all.length) throw new Error(`${base}.bin is truncated (tensor ${t.name})`);
    values.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + size) });
  }
  return { manifest, values };
}
