import { GgmlType } from './format.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE float32 -> float16 bits, round to nearest even (as ggml's converter). */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** float16 bits -> number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Q8_0: blocks of 32 values as one f16 scale (max|x| / 127) and 32 int8s. */
export function quantizeQ8_0(data: Float32Array): Uint8Array {
  if (data.length % 32 !== 0) throw new Error(`Q8_0 needs a multiple of 32 values, got ${data.length}`);
  const out = Buffer.alloc((data.length / 32) * 34);
  for (let b = 0; b < data.length / 32; b++) {
    let amax = 0;
    for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(data[b * 32 + i]));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    out.writeUInt16LE(toHalf(d), b * 34);
    for (let i = 0; i < 32; i++) {
      const v = data[b * 32 + i] * id;
      out.writeInt8(Math.max(-128, Math.min(127, Math.sign(v) * Math.round(Math.abs(v)))), b * 34 + 2 + i);
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = bytes.length / 34;
  const out = new Float32Array(blocks * 32);
  for (let b = 0; b < blocks; b++) {
    const d = fromHalf(buf.readUInt16LE(b * 34));
    for (let i = 0; i < 32; i++) out[b * 32 + i] = d * buf.readInt8(b * 34 + 2 + i);
  }
  return out;
}

/** Encodes float32 values as a ggml tensor type. */
export function encodeTensor(data: Float32Array, type: GgmlType): Uint8Array {
  if (type === GgmlType.F32) return new Uint8Array(Float32Array.from(data).buffer);
  if (type === GgmlType.F16) {
    const out = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = toHalf(data[i]);
    return new Uint8Array(out.buffer);
  }
  return quantizeQ8_0(data);
}

/** Decodes a ggml tensor back to float32 values. */
export function decodeTensor(bytes: Uint8Array, type: GgmlType): Float32Array {
  if (type === GgmlType.F32) return new Float32Array(Uint8Array.from(bytes).buffer);
  if (type === GgmlType.F16) {
    const h = new Uint16Array(Uint8Array.from(bytes).buffer);
    return Float32Array.from(h, fromHalf);
  }
  if (type === GgmlType.Q8_0) return dequantizeQ8_0(bytes);
  throw new Error(`unsupported ggml type ${type}`);
}
