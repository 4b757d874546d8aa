/**
 * A paced, mixed MCP load: several SDK clients (one session each, one call in flight each) make a
 * fixed number of tools/call requests of several kinds (e.g. a tool answered in the MCP process
 * and one that runs as a job on a worker), spread evenly over a time window so they overlap other
 * load instead of finishing in its first seconds. Every call's outcome and latency is recorded
 * under its kind, so a lost call is counted, never hidden.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** One call of the plan: which tool, with what, counted under which kind. */
export interface PlannedCall {
  kind: string;
  tool: string;
  args?: Record<string, unknown>;
}

/** Options of {@link runPacedCalls}. */
export interface PacedOptions {
  clients: Client[];
  /** Calls in all. */
  calls: number;
  /** The `i`-th call (0-based). */
  plan(i: number): PlannedCall;
  /** Call `i` is not sent before `i * spreadMs / calls` ms after the start; 0: as fast as the clients go. */
  spreadMs: number;
  /** Longest wait for one call (default 120 s). */
  timeoutMs?: number;
  /** Sees each successful call's first text content (e.g. which process answered). */
  observe?(kind: string, text: string): void;
}

/** What the calls of one kind measured. */
export interface KindResult {
  calls: number;
  ok: number;
  /** Calls that threw, timed out or returned isError. */
  failed: number;
  /** The first few failure messages. */
  errors: string[];
  /** Milliseconds per call, from sending it to its answer, sorted. */
  latencies: number[];
}

/** What a paced run measured. */
export interface PacedResult {
  byKind: Record<string, KindResult>;
  wallMs: number;
  /** The latest a call was sent after its due time (ms): large when the clients could not keep the pace. */
  maxLagMs: number;
}

/** Runs the planned calls across the clients, paced over `spreadMs`. */
export async function runPacedCalls(options: PacedOptions): Promise<PacedResult> {
  const byKind: Record<string, KindResult> = {};
  const kind = (name: string) => {
    byKind[name] ??= { calls: 0, ok: 0, failed: 0, errors: [], latencies: [] };
    return byKind[name];
  };
  let next = 0;
  let maxLagMs = 0;
  const started = performance.now();
  await Promise.all(
    options.clients.map(async (client) => {
      while (next < options.calls) {
        const i = next++;
        const call = options.plan(i);
        const due = started + (i * options.spreadMs) / options.calls;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const t0 = performance.now();
        maxLagMs = Math.max(maxLagMs, t0 - due);
        const r = kind(call.kind);
        r.calls++;
        try {
          const result = (await client.callTool({ name: call.tool, arguments: call.args ?? {} }, undefined, {
            timeout: options.timeoutMs ?? 120_000,
          })) as { isError?: boolean; content: { type: string; text?: string }[] };
          if (result.isError) throw new Error(JSON.stringify(result.content).slice(0, 200));
          r.ok++;
          options.observe?.(call.kind, result.content.find((c) => c.type === 'text')?.text ?? '');
        } catch (err) {
          r.failed++;
          if (r.errors.length < 5) r.errors.push((err as Error).message);
        } finally {
          r.latencies.push(performance.now() - t0);
        }
      }
    }),
  );
  for (const r of Object.values(byKind)) r.latencies.sort((a, b) => a - b);
  return { byKind, wallMs: performance.now() - started, maxLagMs };
}

/**
 * Which of `calls` calls are picked: exactly `round(calls * share)` of them (share 0..1), at
 * positions shuffled by a seeded generator, so a run repeats and the picked calls do not fall into
 * step with a round-robin proxy (every 10th request of two backends always hits the same one).
 */
export function pickShare(calls: number, share: number, seed = 18): boolean[] {
  const picked = Array.from({ length: calls }, (_, i) => i < Math.round(calls * share));
  // mulberry32: small, seeded, good enough to shuffle a plan
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = calls - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [picked[i], picked[j]] = [picked[j]!, picked[i]!];
  }
  return picked;
}
