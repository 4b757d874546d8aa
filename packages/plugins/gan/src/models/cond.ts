import type { DataTransformer, Span } from '../transform/transformer.js';

/**
 * CTGAN's conditional vector and training-by-sampling: pick a discrete column uniformly, a category
 * with probability proportional to log(1 + frequency) (so rare categories get trained), and a real
 * row that has it.
 */
export class CondSampler {
  readonly spans: Span[];
  /** Width of the conditional vector: all discrete categories side by side. */
  readonly dim: number;
  private readonly offsets: number[];
  private readonly logProbs: Float64Array[];
  private readonly freqProbs: Float64Array[];
  private readonly rowsByCategory: number[][][];

  constructor(transformer: DataTransformer, data: Float32Array, rowCount: number) {
    this.spans = transformer.discreteSpans;
    this.offsets = [];
    let at = 0;
    for (const s of this.spans) {
      this.offsets.push(at);
      at += s.size;
    }
    this.dim = at;
    const d = transformer.dim;
    this.rowsByCategory = this.spans.map((s) => {
      const lists: number[][] = Array.from({ length: s.size }, () => []);
      for (let i = 0; i < rowCount; i++) {
        for (let k = 0; k < s.size; k++) {
          if (data[i * d + s.start + k] === 1) {
            lists[k]!.push(i);
            break;
          }
        }
      }
      return lists;
    });
    const norm = (xs: number[]) => {
      const sum = xs.reduce((a, b) => a + b, 0) || 1;
      return Float64Array.from(xs, (x) => x / sum);
    };
    this.logProbs = this.rowsByCategory.map((lists) => norm(lists.map((l) => Math.log(l.length + 1))));
    this.freqProbs = this.rowsByCategory.map((lists) => norm(lists.map((l) => l.length)));
  }

  /**
   * A training batch: the conditional vectors, the mask of the chosen column, and for each
   * conditional vector a real row index with that category (in a shuffled order, as CTGAN pairs them).
   */
  sampleTrain(
    batch: number,
    rand: () => number,
  ): { cond: Float32Array; mask: Float32Array; realRows: number[]; realCond: Float32Array } {
    const cond = new Float32Array(batch * this.dim);
    const mask = new Float32Array(batch * this.spans.length);
    const picks: [number, number][] = [];
    for (let i = 0; i < batch; i++) {
      const c = Math.floor(rand() * this.spans.length);
      const k = draw(this.logProbs[c]!, rand);
      cond[i * this.dim + this.offsets[c]! + k] = 1;
      mask[i * this.spans.length + c] = 1;
      picks.push([c, k]);
    }
    // The real batch uses a permutation of the same conditions.
    const perm = Array.from({ length: batch }, (_, i) => i).sort(() => rand() - 0.5);
    const realCond = new Float32Array(batch * this.dim);
    const realRows = perm.map((p, i) => {
      const [c, k] = picks[p]!;
      realCond[i * this.dim + this.offsets[c]! + k] = 1;
      const rows = this.rowsByCategory[c]![k]!;
      return rows[Math.floor(rand() * rows.length)]!;
    });
    return { cond, mask, realRows, realCond };
  }

  /** Conditional vectors for generation: one fixed category, or categories drawn by their real frequency. */
  sampleGenerate(batch: number, rand: () => number, condition?: { spanIndex: number; category: number }): Float32Array {
    const cond = new Float32Array(batch * this.dim);
    for (let i = 0; i < batch; i++) {
      const c = condition ? condition.spanIndex : Math.floor(rand() * this.spans.length);
      const k = condition ? condition.category : draw(this.freqProbs[c]!, rand);
      cond[i * this.dim + this.offsets[c]! + k] = 1;
    }
    return cond;
  }

  /** Index into `spans` of a table column's one-hot, or -1 when the column is not discrete. */
  spanOf(column: number): number {
    return this.spans.findIndex((s) => s.column === column);
  }
}

function draw(probs: Float64Array, rand: () => number): number {
  let u = rand();
  for (let k = 0; k < probs.length; k++) {
    u -= probs[k]!;
    if (u <= 0) return k;
  }
  return probs.length - 1;
}
