/**
 * When to stop training: the epoch budget, the time budget, or no improvement for `patience`
 * epochs, but never on patience before a minimum number of optimizer steps (small tables run a
 * few steps an epoch, and an early epoch's noisy loss says little).
 */
export class EarlyStop {
  /** Epochs trained before patience may stop the run. */
  readonly minEpochs: number;
  /** Epochs without improvement that stop the run (0: never). */
  readonly patience: number;
  private best = Number.POSITIVE_INFINITY;
  private stale = 0;
  private readonly started = Date.now();
  /** Why the run stopped before its epochs, once it has. */
  reason?: 'patience' | 'time';

  constructor(
    private readonly epochs: number,
    stepsPerEpoch: number,
    patience: number,
    private readonly maxSeconds?: number,
  ) {
    const steps = Math.max(1, stepsPerEpoch);
    this.minEpochs = Math.min(epochs, Math.ceil(MIN_STEPS / steps));
    this.patience = patience > 0 ? Math.max(patience, Math.ceil(MIN_PATIENCE_STEPS / steps)) : 0;
  }

  /**
   * Records an epoch's loss; returns whether it is the best so far (worth a checkpoint) and
   * whether training should stop now.
   */
  update(epoch: number, loss: number): { improved: boolean; stop: boolean } {
    // The first finite loss always counts as an improvement (Infinity - Infinity would be NaN).
    const improved =
      Number.isFinite(loss) && (!Number.isFinite(this.best) || loss < this.best - Math.abs(this.best) * 1e-3);
    if (improved) {
      this.best = loss;
      this.stale = 0;
    } else this.stale++;
    if (epoch >= this.epochs) return { improved, stop: true };
    if (this.patience > 0 && epoch >= this.minEpochs && this.stale >= this.patience) this.reason = 'patience';
    else if (this.maxSeconds && (Date.now() - this.started) / 1000 > this.maxSeconds) this.reason = 'time';
    return { improved, stop: this.reason !== undefined };
  }

  /** Whether the last epoch was not the best (so the best checkpoint should be restored). */
  get afterBest(): boolean {
    return this.stale > 0;
  }
}

/** Optimizer steps every run gets before patience can stop it (300 epochs of a 240-row table). */
export const MIN_STEPS = 1500;
/** Patience covers at least this many optimizer steps. */
const MIN_PATIENCE_STEPS = 100;
