/** A readiness check: resolves when the dependency answers, rejects (with a safe message) when not. */
export type Check = () => Promise<void>;

/** The result of running every check. */
export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/**
 * Runs `checks` in parallel, each bounded by `timeoutMs` (a hung database must not hang the probe).
 * Error messages are kept short and pass through `redact` so no secret reaches a probe's output.
 */
export async function readiness(
  checks: Record<string, Check>,
  options: { timeoutMs?: number; redact?: (text: string) => string } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const redact = options.redact ?? ((t: string) => t);
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const start = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true, ms: Math.round(performance.now() - start) }] as const;
      } catch (err) {
        const error = redact(((err as Error)?.message ?? String(err)).slice(0, 300));
        return [name, { ok: false, ms: Math.round(performance.now() - start), error }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

/** A check that pings Redis through a queue (its job counts need a round trip). */
export function queueCheck(queue: { counts(): Promise<unknown> }): Check {
  return async () => {
    await queue.counts();
  };
}
