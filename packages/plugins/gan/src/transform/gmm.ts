/** A one-dimensional Gaussian mixture. */
export interface Mixture {
  means: number[];
  stds: number[];
  weights: number[];
  /**
   * Components that are a single repeated value (a spike such as capital-gain's 0 or a 40-hour
   * week): decoded to their mean exactly, since their scalar only adds noise around it.
   */
  points?: boolean[];
}

const MAX_FIT_VALUES = 4_000;
const WEIGHT_THRESHOLD = 0.005;

/**
 * Fits a 1-D Gaussian mixture for mode-specific normalisation. Like CTGAN's variational
 * (Dirichlet-process) mixture it chooses how many modes a column needs: EM fits 1..maxComponents
 * components, the Bayesian information criterion picks the count, and components under 0.5 %
 * weight are pruned. A variance floor lets spikes (e.g. a column that is mostly 0) be their own mode;
 * with `points` (default) such spikes are marked as point masses and duplicates of one spike merge.
 */
export function fitMixture(all: ArrayLike<number>, rand: () => number, maxComponents = 10, points = true): Mixture {
  let xs = Array.from(all).filter((v) => Number.isFinite(v));
  if (xs.length === 0) return { means: [0], stds: [1], weights: [1] };
  if (xs.length > MAX_FIT_VALUES)
    xs = Array.from({ length: MAX_FIT_VALUES }, () => xs[Math.floor(rand() * xs.length)]!);
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
  const floor = Math.max(std * 1e-3, 1e-9);
  const sorted = [...xs].sort((a, b) => a - b);
  let best: { bic: number; mix: Mixture } | undefined;
  const distinct = new Set(sorted).size;
  for (let k = 1; k <= Math.min(maxComponents, distinct); k++) {
    const { mix, logLik } = em(xs, sorted, k, std, floor);
    const bic = -2 * logLik + (3 * k - 1) * Math.log(n);
    if (!best || bic < best.bic) best = { bic, mix };
  }
  const mix = prune(best!.mix);
  return points ? mergePoints(mix, floor) : mix;
}

/** Marks components at the variance floor as point masses and merges points at the same value. */
function mergePoints(mix: Mixture, floor: number): Mixture {
  const out: Mixture = { means: [], stds: [], weights: [], points: [] };
  mix.means.forEach((mean, j) => {
    const point = mix.stds[j]! <= 2 * floor;
    const same = point ? out.means.findIndex((m, k) => out.points![k] && Math.abs(m - mean) <= floor) : -1;
    if (same >= 0) {
      out.weights[same]! += mix.weights[j]!;
      return;
    }
    out.means.push(mean);
    out.stds.push(mix.stds[j]!);
    out.weights.push(mix.weights[j]!);
    out.points!.push(point);
  });
  return out;
}

function em(xs: number[], sorted: number[], k: number, std: number, floor: number): { mix: Mixture; logLik: number } {
  const n = xs.length;
  const means = Array.from(
    { length: k },
    (_, j) => sorted[Math.floor(((j + 0.5) / k) * n)]! + (j - k / 2) * 1e-3 * std,
  );
  const stds = Array(k).fill(std / k);
  const weights = Array(k).fill(1 / k);
  const resp = new Float64Array(n * k);
  let logLik = Number.NEGATIVE_INFINITY;
  for (let iter = 0; iter < 60; iter++) {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        const z = (xs[i]! - means[j]) / stds[j];
        const lp = Math.log(weights[j] + 1e-300) - Math.log(stds[j]) - 0.5 * z * z - 0.9189385332;
        resp[i * k + j] = lp;
        if (lp > max) max = lp;
      }
      let sum = 0;
      for (let j = 0; j < k; j++) sum += resp[i * k + j] = Math.exp(resp[i * k + j]! - max);
      for (let j = 0; j < k; j++) resp[i * k + j]! /= sum;
      ll += max + Math.log(sum);
    }
    for (let j = 0; j < k; j++) {
      let nk = 0;
      let s = 0;
      for (let i = 0; i < n; i++) {
        nk += resp[i * k + j]!;
        s += resp[i * k + j]! * xs[i]!;
      }
      const mu = nk > 1e-9 ? s / nk : means[j];
      let v = 0;
      for (let i = 0; i < n; i++) v += resp[i * k + j]! * (xs[i]! - mu) ** 2;
      means[j] = mu;
      stds[j] = Math.max(Math.sqrt(nk > 1e-9 ? v / nk : std * std), floor);
      weights[j] = nk / n;
    }
    if (Math.abs(ll - logLik) < 1e-7 * n) {
      logLik = ll;
      break;
    }
    logLik = ll;
  }
  return { mix: { means, stds, weights }, logLik };
}

function prune(mix: Mixture): Mixture {
  const keep = mix.weights.map((_w, j) => j).filter((j) => mix.weights[j]! >= WEIGHT_THRESHOLD);
  const total = keep.reduce((a, j) => a + mix.weights[j]!, 0);
  return {
    means: keep.map((j) => mix.means[j]!),
    stds: keep.map((j) => mix.stds[j]!),
    weights: keep.map((j) => mix.weights[j]! / total),
  };
}

/** Posterior probabilities of each component for value `x`, written into `out`. */
export function posterior(mix: Mixture, x: number, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  const k = mix.means.length;
  for (let j = 0; j < k; j++) {
    const z = (x - mix.means[j]!) / mix.stds[j]!;
    out[j] = Math.log(mix.weights[j]!) - Math.log(mix.stds[j]!) - 0.5 * z * z;
    if (out[j]! > max) max = out[j]!;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += out[j] = Math.exp(out[j]! - max);
  for (let j = 0; j < k; j++) out[j]! /= sum;
}
