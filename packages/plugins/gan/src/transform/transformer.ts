import type { Table } from '../data/columns.js';
import { fitMixture, type Mixture, posterior } from './gmm.js';

/** A slice of the encoded row: a tanh scalar (a continuous value within its mode) or a one-hot block. */
export interface Span {
  kind: 'tanh' | 'softmax';
  start: number;
  size: number;
  /** Index of the table column it encodes. */
  column: number;
  role: 'alpha' | 'mode' | 'category';
}

/** How continuous columns are encoded. */
export interface TransformerOptions {
  /** Spikes (one repeated value) become exact point modes, duplicates merged (default true). */
  pointModes?: boolean;
}

/**
 * CTGAN/TVAE's reversible row encoding: a continuous column becomes a scalar in [-1, 1] (its value
 * relative to one Gaussian mode, `(x - mu) / 4 sigma`) plus a one-hot of that mode, sampled from
 * the mode posterior; a discrete column becomes a one-hot of its category.
 */
export class DataTransformer {
  readonly spans: Span[] = [];
  readonly mixtures: (Mixture | undefined)[] = [];
  readonly dim: number;
  private readonly observed: Float64Array[] = [];

  constructor(
    readonly table: Pick<Table, 'columns' | 'values' | 'rowCount'>,
    rand: () => number,
    options: TransformerOptions = {},
  ) {
    let at = 0;
    table.columns.forEach((col, j) => {
      if (col.kind === 'discrete') {
        const size = col.categories!.length;
        this.spans.push({ kind: 'softmax', start: at, size, column: j, role: 'category' });
        this.mixtures.push(undefined);
        this.observed.push(new Float64Array());
        at += size;
        return;
      }
      const present = Float64Array.from(table.values[j]!.filter((v) => !Number.isNaN(v)));
      const mix = fitMixture(present, rand, 10, options.pointModes !== false);
      this.mixtures.push(mix);
      this.observed.push(present);
      this.spans.push({ kind: 'tanh', start: at, size: 1, column: j, role: 'alpha' });
      this.spans.push({ kind: 'softmax', start: at + 1, size: mix.means.length, column: j, role: 'mode' });
      at += 1 + mix.means.length;
    });
    this.dim = at;
  }

  /** Spans of discrete columns' one-hots: what the conditional vector selects from. */
  get discreteSpans(): Span[] {
    return this.spans.filter((s) => s.role === 'category');
  }

  /** Encodes `rowCount` rows (column-major values) into a row-major Float32Array of `rowCount * dim`. */
  encode(values: Float64Array[], rowCount: number, rand: () => number): Float32Array {
    const out = new Float32Array(rowCount * this.dim);
    const probs = new Float64Array(16);
    for (const span of this.spans) {
      const col = values[span.column]!;
      if (span.role === 'category') {
        for (let i = 0; i < rowCount; i++) out[i * this.dim + span.start + col[i]!] = 1;
      } else if (span.role === 'alpha') {
        const mix = this.mixtures[span.column]!;
        const observed = this.observed[span.column]!;
        const k = mix.means.length;
        for (let i = 0; i < rowCount; i++) {
          // Missing values are imputed from observed ones; decode puts the missing rate back.
          const x = Number.isNaN(col[i]!) ? observed[Math.floor(rand() * observed.length)]! : col[i]!;
          posterior(mix, x, probs);
          let u = rand();
          let mode = k - 1;
          for (let m = 0; m < k; m++) {
            u -= probs[m]!;
            if (u <= 0) {
              mode = m;
              break;
            }
          }
          const alpha = (x - mix.means[mode]!) / (4 * mix.stds[mode]!);
          out[i * this.dim + span.start] = Math.max(-0.99, Math.min(0.99, alpha));
          out[i * this.dim + span.start + 1 + mode] = 1;
        }
      }
    }
    return out;
  }

  /**
   * Decodes model output back to column-major values. Scalars are tanh-activated; one-hot blocks
   * are scores: with `temperature` 0 (the default) the arg-max wins, above 0 they are logits and the
   * category (or mode) is drawn from softmax(logits / temperature), which keeps rare categories at
   * their rate instead of dropping them. `alphaNoise` adds TVAE's learned per-column noise.
   */
  decode(data: Float32Array, rowCount: number, rand: () => number, options: DecodeOptions = {}): Float64Array[] {
    const { alphaNoise, temperature = 0 } = options;
    const values = this.table.columns.map(() => new Float64Array(rowCount));
    const normal = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
    const pickOne = (at: number, size: number) =>
      temperature > 0 ? sampleSoftmax(data, at, size, temperature, rand) : argmax(data, at, size);
    for (let s = 0; s < this.spans.length; s++) {
      const span = this.spans[s]!;
      const col = values[span.column]!;
      if (span.role === 'category') {
        for (let i = 0; i < rowCount; i++) col[i] = pickOne(i * this.dim + span.start, span.size);
      } else if (span.role === 'alpha') {
        const modeSpan = this.spans[s + 1]!;
        const mix = this.mixtures[span.column]!;
        const sigma = alphaNoise?.(span) ?? 0;
        const missingRate = this.table.columns[span.column]!.missingRate;
        for (let i = 0; i < rowCount; i++) {
          let alpha = data[i * this.dim + span.start]!;
          if (sigma > 0) alpha += sigma * normal();
          alpha = Math.max(-1, Math.min(1, alpha));
          const mode = pickOne(i * this.dim + modeSpan.start, modeSpan.size);
          const value = mix.points?.[mode] ? mix.means[mode]! : alpha * 4 * mix.stds[mode]! + mix.means[mode]!;
          col[i] = missingRate > 0 && rand() < missingRate ? Number.NaN : value;
        }
      }
    }
    return values;
  }
}

/** How {@link DataTransformer.decode} reads one-hot blocks and scalars. */
export interface DecodeOptions {
  /** Extra Gaussian noise (standard deviation) on a tanh scalar, per span. */
  alphaNoise?: (span: Span) => number;
  /** 0: arg-max of each block; above 0: draw from softmax(scores / temperature) (scores must be logits). */
  temperature?: number;
}

/** Draws an index from softmax(data[start..start+size) / temperature). */
function sampleSoftmax(
  data: Float32Array,
  start: number,
  size: number,
  temperature: number,
  rand: () => number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < size; k++) max = Math.max(max, data[start + k]!);
  let sum = 0;
  for (let k = 0; k < size; k++) sum += Math.exp((data[start + k]! - max) / temperature);
  let u = rand() * sum;
  for (let k = 0; k < size; k++) {
    u -= Math.exp((data[start + k]! - max) / temperature);
    if (u <= 0) return k;
  }
  return size - 1;
}

function argmax(data: Float32Array, start: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (data[start + k]! > data[start + best]!) best = k;
  return best;
}
