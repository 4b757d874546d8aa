import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGguf, GgmlType } from '../../src/local-models/gguf/format.js';
import { computeModelReference } from '../../src/local-models/gguf/reference.js';
import { referencePathFor } from '../../src/local-models/gguf/reference-format.js';
import { createGgufChatModel, localModelRuntimeInfo, SHIPPED_MODEL_PATH } from '../../src/providers/gguf/index.js';
import { type CheckedModel, loadCheckedModel } from '../../src/providers/gguf/runtime.js';
import { cpuFlags, cpuVariant } from '../../src/providers/gguf/runtime-info.js';
import { readReference } from '../../src/providers/gguf/self-check.js';
import { tempDir } from '../local-models/helpers.js';

const SHIPPED_F32 = SHIPPED_MODEL_PATH.replace(/q8_0\.gguf$/, 'f32.gguf');

/** Copy of the shipped Q8_0 file whose `tensor` has every Q8_0 block scale (f16) set to `scale`. */
function corruptedCopy(dir: string, name: string, tensor: string, scale: number): string {
  const buf = readFileSync(SHIPPED_MODEL_PATH);
  const t = decodeGguf(buf).tensors.find((x) => x.name === tensor);
  if (!t || t.type !== GgmlType.Q8_0) throw new Error(`${tensor} is not a Q8_0 tensor of the shipped model`);
  const start = buf.indexOf(Buffer.from(t.bytes)); // decodeGguf copies tensor bytes out
  if (start < 0) throw new Error(`${tensor} bytes not found`);
  for (let block = start; block < start + t.bytes.length; block += 34) buf.writeUInt16LE(scale, block);
  const out = join(dir, name);
  writeFileSync(out, buf);
  return out;
}

const F16_NAN = 0x7e00;
const F16_256 = 0x5c00;

describe.skipIf(!existsSync(SHIPPED_MODEL_PATH))('load-time self-check of local models (any x86-64 CPU)', () => {
  const dir = tempDir('selfcheck');
  const loaded: CheckedModel[] = [];
  afterAll(async () => {
    for (const m of loaded) await m.model.dispose();
  });

  it('the shipped Q8_0 and F32 files carry references that our tfjs pass reproduces from the files', async () => {
    for (const file of [SHIPPED_MODEL_PATH, SHIPPED_F32]) {
      const stored = readReference(file);
      expect(stored, `${referencePathFor(file)} missing or stale: rerun gguf/reference.ts`).toBeDefined();
      const fresh = await computeModelReference(file);
      expect(fresh.tokens).toEqual(stored?.tokens);
      fresh.logProbs.forEach((lp, i) => expect(Math.abs(lp - (stored?.logProbs[i] ?? Number.NaN))).toBeLessThan(1e-3));
    }
  });

  it('node-llama-cpp reproduces the shipped Q8_0 reference log-probabilities: self-check passes, no fallback', async () => {
    const lines: string[] = [];
    const m = await loadCheckedModel(SHIPPED_MODEL_PATH, (l) => lines.push(l));
    loaded.push(m);
    expect(m.check.status).toBe('passed');
    expect(m.check.meanDiff).toBeLessThan(0.15);
    expect(m.check.maxDiff).toBeLessThan(0.75);
    expect(m.loaded).toBe(SHIPPED_MODEL_PATH);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^local model hearth-local-q8_0\.gguf on ggml-cpu \S+: self-check passed/);
  });

  it.each([
    ['NaN block scales (what the AMX path produced)', F16_NAN, /not finite/],
    ['finite but wrong weights (scales of 256)', F16_256, /vs reference/],
  ])('a corrupted Q8_0 copy (%s) fails loudly and its F32 sibling serves instead', async (_, scale, why) => {
    const sub = tempDir('selfcheck-sib');
    const q8 = corruptedCopy(sub, 'hearth-local-q8_0.gguf', 'blk.0.attn_output.weight', scale);
    copyFileSync(referencePathFor(SHIPPED_MODEL_PATH), referencePathFor(q8));
    copyFileSync(SHIPPED_F32, join(sub, 'hearth-local-f32.gguf'));
    copyFileSync(referencePathFor(SHIPPED_F32), referencePathFor(join(sub, 'hearth-local-f32.gguf')));
    const lines: string[] = [];
    const m = await loadCheckedModel(q8, (l) => lines.push(l));
    loaded.push(m);
    expect(m.check.status).toBe('failed');
    expect(m.check.detail).toMatch(why);
    expect(m.loaded).toBe(join(sub, 'hearth-local-f32.gguf'));
    expect(m.fallbackCheck?.status).toBe('passed');
    expect(lines).toEqual([expect.stringMatching(/FAILED its self-check .* serving hearth-local-f32\.gguf instead/)]);
  });

  it('a chat model over a corrupted file without a good fallback is refused with the reason', async () => {
    const q8 = corruptedCopy(dir, 'broken-q8_0.gguf', 'blk.0.attn_output.weight', F16_NAN);
    const lines: string[] = [];
    await expect(createGgufChatModel({ path: q8, log: (l) => lines.push(l) })).rejects.toThrow(
      /broken-q8_0\.gguf FAILED its self-check .*not finite.*no fallback passed \(tried: broken-q8_0-\d+-\d+\.f32\.gguf \(log-probability/,
    );
    expect(lines).toHaveLength(1);
  });

  it('localModelRuntimeInfo reports the CPU variant, flags and the failed check of a user model', async () => {
    const dataDir = tempDir('selfcheck-data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dataDir, 'models'));
    corruptedCopy(join(dataDir, 'models'), 'hearth-local.gguf', 'blk.1.ffn_down.weight', F16_NAN);
    const info = await localModelRuntimeInfo({ dataDir });
    expect(info.cpuFlags.length).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(info.cpuVariant).toMatch(/^[\w.-]+$/);
    expect(info.amx).toBe(info.cpuFlags.includes('amx_int8'));
    expect(info.systemInfo).toMatch(/AVX|SSE|NEON/);
    expect(info.model.error).toMatch(/hearth-local\.gguf FAILED its self-check/);
    expect(info.summary).toBe(info.model.error);
  });

  it('parses the ggml CPU variant from /proc/self/maps and CPU flags from /proc/cpuinfo', () => {
    const maps = '7f00-7f01 r-xp 0 08:01 1 /x/bins/linux-x64/libggml-cpu-sapphirerapids.so\n';
    expect(cpuVariant(maps)).toBe('sapphirerapids');
    expect(cpuVariant('7f00 /lib/libc.so.6\n')).toBeUndefined();
    const flags = cpuFlags('processor: 0\nflags\t\t: fpu avx2 avx512f amx_tile amx_int8 avx512_fp16\n');
    expect(flags).toEqual(['avx2', 'avx512f', 'avx512_fp16', 'amx_tile', 'amx_int8']);
  });
});
