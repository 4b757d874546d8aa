/**
 * The fuzz runner shared by test/fuzz/*.test.ts (a small fixed-seed share) and bench/fuzz.ts
 * (>= 10,000 cases per target): fast-check generates inputs, each target's check labels the outcome
 * (accepted, or refused with a clear error) and throws on anything else: a crash, an unclear error,
 * a hang, or a broken invariant.
 */
import fc from 'fast-check';

/** What one target run did. */
export interface FuzzReport {
  target: string;
  cases: number;
  seed: number;
  /** Outcome label -> count (e.g. `ok`, `refused: parse error`, `http 400`). */
  outcomes: Record<string, number>;
  /** The shrunk counterexample and error, when a case failed. */
  failure?: string;
  ms: number;
  slowestMs: number;
  /** Record counts and checksums of the stores before and after, for targets that have stores. */
  stores?: { before: string; after: string; intact: boolean };
}

/** Options of one run. */
export interface FuzzOptions {
  runs: number;
  seed: number;
  /** A case slower than this is a hang (default 10 s). */
  timeoutMs?: number;
}

/** A failed invariant: the message says which. */
export class FuzzFailure extends Error {}

/** Runs `check` on `runs` generated values; resolves with counts, never throws for a failing case. */
export async function fuzz<T>(
  target: string,
  arb: fc.Arbitrary<T>,
  check: (value: T) => Promise<string> | string,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const outcomes: Record<string, number> = {};
  let slowest = 0;
  let cases = 0;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  const result = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const label = await Promise.race([
        Promise.resolve().then(() => check(value)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new FuzzFailure(`hang: no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      const ms = performance.now() - t0;
      // synchronous code cannot be interrupted: a slow return is a hang too
      if (ms > timeoutMs) throw new FuzzFailure(`hang: took ${ms.toFixed(0)} ms`);
      slowest = Math.max(slowest, ms);
      cases++;
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  const report: FuzzReport = {
    target,
    cases,
    seed: options.seed,
    outcomes,
    ms: performance.now() - started,
    slowestMs: slowest,
  };
  if (result.failed) {
    const example = JSON.stringify(result.counterexample, (_k, v) =>
      v instanceof Uint8Array
        ? `<${v.length} bytes>`
        : typeof v === 'string' && v.length > 300
          ? `${v.slice(0, 300)}…`
          : v,
    );
    report.failure = `${(result.errorInstance as Error | undefined)?.message ?? String(result.errorInstance)}\n  counterexample: ${example?.slice(0, 1500)}`;
  }
  return report;
}

/**
 * The label of an expected refusal, or a FuzzFailure: errors must be of an expected kind, with a
 * non-empty message that is not an internal crash (TypeError, RangeError...) or a dumped object.
 */
export function refusal(error: unknown, expected: (e: Error) => string | undefined): string {
  if (error instanceof FuzzFailure) throw error;
  if (!(error instanceof Error)) throw new FuzzFailure(`threw a non-Error: ${String(error).slice(0, 200)}`);
  if (['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(error.name) && !expected(error)) {
    throw new FuzzFailure(`crashed with ${error.name}: ${error.message.slice(0, 300)}`);
  }
  if (!error.message.trim() || /\[object Object\]|undefined is not|Cannot read propert/.test(error.message)) {
    throw new FuzzFailure(`unclear error: ${error.name}: ${error.message.slice(0, 300)}`);
  }
  const label = expected(error);
  if (!label) throw new FuzzFailure(`unexpected error: ${error.name}: ${error.message.slice(0, 300)}`);
  return label;
}

/** Fails the case unless `cond` holds. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new FuzzFailure(message);
}

/** Markdown rows of reports, for bench/fuzz.ts and docs/benchmarks/fuzz.md. */
export function reportTable(reports: FuzzReport[]): string {
  const rows = reports.map((r) => {
    const top = Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const status = r.failure ? `FAILED: ${r.failure.split('\n')[0]}` : 'no crash, no hang';
    const stores = r.stores
      ? r.stores.intact
        ? `intact (${r.stores.after})`
        : `CHANGED ${r.stores.before} -> ${r.stores.after}`
      : '-';
    return `| ${r.target} | ${r.cases} | ${(r.ms / 1000).toFixed(1)} s | ${r.slowestMs.toFixed(0)} ms | ${top} | ${stores} | ${status} |`;
  });
  return [
    '| target | cases | time | slowest case | outcomes | stores after | result |',
    '| --- | ---: | ---: | ---: | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
