/**
 * The noise schedule: cosine alpha-bar (Nichol & Dhariwal 2021) over T training steps, which keeps
 * small images from being destroyed too early.
 */
export const TRAIN_STEPS = 1000;

/** alphaBar[t] for t = 0..T-1: the share of signal variance left at step t. */
export function cosineAlphaBar(steps = TRAIN_STEPS): Float64Array {
  const f = (t: number) => Math.cos(((t / steps + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(steps);
  let prev = 1;
  for (let t = 0; t < steps; t++) {
    const beta = Math.min(1 - f(t + 1) / f(t), 0.999);
    prev *= 1 - beta;
    out[t] = prev;
  }
  return out;
}

/** `count` DDIM timesteps from T-1 down to 0, evenly spaced. */
export function ddimTimesteps(count: number, steps = TRAIN_STEPS): number[] {
  if (!Number.isInteger(count) || count < 1 || count > steps) throw new Error(`steps must be 1-${steps}, got ${count}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.round(((count - 1 - i) * (steps - 1)) / Math.max(1, count - 1)));
  if (count === 1) return [steps - 1];
  return out;
}
