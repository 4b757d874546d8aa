import type { DataTransformer } from '../transform/transformer.js';

/** Progress of one finished epoch. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  losses: Record<string, number>;
}

/** Training options shared by both models. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  signal?: AbortSignal;
  onEpoch?: (report: EpochReport) => void;
  /**
   * Stop when the monitored loss has not improved by 0.1 % for this many epochs (0 disables);
   * never before a minimum number of optimizer steps (see `EarlyStop`).
   */
  patience: number;
  /** Stop after this many seconds of training (the budget a caller can afford). */
  maxSeconds?: number;
}

/** How a training run ended. */
export interface FitResult {
  epochs: number;
  stoppedEarly: boolean;
  /** Why it stopped before its epochs: no improvement for `patience` epochs, or the time budget. */
  stopReason?: 'patience' | 'time';
}

/** A trained generator of encoded rows. */
export interface Synthesizer {
  readonly name: 'tvae' | 'ctgan';
  readonly transformer: DataTransformer;
  /** Trains on encoded rows; returns the epochs run. */
  fit(data: Float32Array, rowCount: number, options: TrainOptions): Promise<FitResult>;
  /**
   * Generates `n` rows as column-major values. `condition` (discrete column index -> category index)
   * steers generation where the model supports it; callers still filter by rejection.
   */
  sample(n: number, rand: () => number, condition?: { column: number; category: number }): Float64Array[];
  /** Rows like the training rows `rows` (TVAE: from their latent posteriors); absent where unsupported. */
  sampleNear?(n: number, rand: () => number, rows: number[]): Float64Array[];
  dispose(): void;
}

/** Throws the signal's reason when the caller cancelled. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error
      ? signal.reason
      : new Error(`Training was cancelled: ${String(signal.reason)}`);
  }
}
