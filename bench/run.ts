/**
 * `pnpm bench [area...]`: runs every bench/<area>.ts (each exports `run(): Promise<string>`
 * returning a markdown section) and prints the sections. Medians and ratios are measured against
 * a baseline in the same process, since these machines are noisy.
 */
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const dir = new URL('./', import.meta.url);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const areas = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();
if (wanted.length && areas.length !== wanted.length) {
  const missing = wanted.filter((w) => !areas.includes(w));
  console.error(
    `unknown bench area(s): ${missing.join(', ')}; known: ${readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
      .join(', ')}`,
  );
  process.exit(2);
}
console.log(
  `# Hearth benchmarks\n\nNode ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}\n`,
);
let failed = 0;
for (const area of areas) {
  const started = performance.now();
  try {
    const mod = (await import(new URL(`${area}.ts`, dir).href)) as { run?: () => Promise<string> };
    if (typeof mod.run !== 'function') throw new Error(`bench/${area}.ts does not export run()`);
    console.log(await mod.run());
    console.error(`bench ${area}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed++;
    console.log(`## ${area}\n\nFAILED: ${(err as Error).message}\n`);
  }
}
process.exit(failed ? 1 : 0);
