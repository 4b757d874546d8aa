import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Largest file dequantized on the fly (a hearth-trained model is a few MB; 7B models are not copied). */
const MAX_DEQUANTIZE_BYTES = 256 * 1024 * 1024;

/**
 * Files to try, in order, when `path` fails its self-check:
 * 1. its F32 sibling (`…q8_0.gguf` -> `…f32.gguf`, as shipped: exact weights);
 * 2. an F32 copy dequantized from it (llama GGUFs this package can read, up to 256 MB), cached in
 *    the temp folder. F32 weights are never moved to ggml-cpu's AMX buffer (only Q4_0/Q4_1/Q8_0,
 *    K-quants, IQ4_XS and F16 are), so they take the plain AVX path on every CPU.
 */
export async function* fallbackFiles(path: string): AsyncGenerator<string> {
  const name = basename(path);
  if (/q8_0/i.test(name)) {
    const sibling = join(dirname(path), name.replace(/q8_0/i, 'f32'));
    if (existsSync(sibling)) yield sibling;
  }
  const { size, mtimeMs } = statSync(path);
  if (size > MAX_DEQUANTIZE_BYTES) return;
  const out = join(
    tmpdir(),
    'hearth-gguf-fallback',
    `${name.replace(/\.gguf$/i, '')}-${size}-${Math.round(mtimeMs)}.f32.gguf`,
  );
  if (!existsSync(out)) {
    try {
      // Imported here: the reader is only needed on this rare path.
      const { readLlamaGguf, writeLlamaGguf } = await import('../../local-models/gguf/llama-gguf.js');
      const { config, tokenizer, weights } = readLlamaGguf(path);
      mkdirSync(dirname(out), { recursive: true });
      writeLlamaGguf(`${out}.tmp`, config, tokenizer, weights, 'f32', name.replace(/\.gguf$/i, ''));
      renameSync(`${out}.tmp`, out);
    } catch {
      return; // not a llama GGUF this package can convert
    }
  }
  yield out;
}
