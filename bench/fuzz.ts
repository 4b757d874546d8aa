/**
 * Fuzzing: at least 10,000 generated cases per target (fast-check, fixed seed) against the GAN CSV
 * reader, the document loaders, the config loader, MCP JSON-RPC over HTTP (a real `startMcpHttp`
 * over a real LanceDB store) and Discord interactions (the emulator and the real discord.js client).
 * Each case must be accepted or refused with a clear error, within its time limit; stores are
 * fingerprinted (record counts and SHA-256) before and after. `pnpm bench fuzz` (about 15 minutes
 * on 2 cores); FUZZ_RUNS=<n> changes the count. Results in docs/benchmarks/fuzz.md.
 */
import { type FuzzReport, reportTable } from '../test/fuzz/lib.js';
import { fuzzConfig } from '../test/fuzz/targets/config.js';
import { fuzzCsv, fuzzCsvRoundTrip } from '../test/fuzz/targets/csv.js';
import { fuzzDiscord } from '../test/fuzz/targets/discord.js';
import { fuzzLoaders } from '../test/fuzz/targets/loaders.js';
import { fuzzMcp } from '../test/fuzz/targets/mcp.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = 20_261_203;

export async function run(): Promise<string> {
  const targets = [fuzzCsv, fuzzCsvRoundTrip, fuzzLoaders, fuzzConfig, fuzzMcp, fuzzDiscord];
  const only = process.env.FUZZ_TARGETS?.split(',');
  const reports: FuzzReport[] = [];
  for (const [i, target] of targets.entries()) {
    if (only && !only.includes(String(i))) continue;
    const report = await target({ runs: RUNS, seed: SEED });
    console.error(
      `fuzz: ${report.target}: ${report.cases} cases, ${(report.ms / 1000).toFixed(1)} s${report.failure ? `, FAILED ${report.failure}` : ''}`,
    );
    reports.push(report);
  }
  const failed = reports.filter((r) => r.failure || r.stores?.intact === false);
  return [
    '## fuzz',
    '',
    `${RUNS} generated cases per target, seed ${SEED}; a target stops at its first failing case (shrunk).`,
    '',
    reportTable(reports),
    '',
    failed.length
      ? `**${failed.length} target(s) failed.**`
      : 'Every target: no crash, no hang, every refusal a clear error, stores intact.',
    '',
  ].join('\n');
}
