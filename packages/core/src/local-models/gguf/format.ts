/**
 * GGUF v3 container: header, typed key/value metadata, tensor infos and 32-byte aligned data.
 * Tensor dims are in ggml order (`ne[0]` is the contiguous one), i.e. reversed row-major shape.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSION = 3;
export const ALIGNMENT = 32;

export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q8_0 = 8,
}

enum ValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** A typed metadata value. Plain JS numbers need a type; strings and booleans infer theirs. */
export type GgufValue =
  | { type: 'u32' | 'i32' | 'f32' | 'u64'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'string[]'; value: string[] }
  | { type: 'i32[]' | 'f32[]'; value: number[] };

/** A tensor to write: raw encoded bytes plus its ggml type and ggml-order dims. */
export interface GgufTensor {
  name: string;
  type: GgmlType;
  /** ggml dims, contiguous first: a row-major `[rows, cols]` matrix is `[cols, rows]`. */
  dims: number[];
  bytes: Uint8Array;
}

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const rem = this.length % ALIGNMENT;
    if (rem) this.push(Buffer.alloc(ALIGNMENT - rem));
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      w.u32(ValueType.UINT32);
      w.u32(v.value);
      return;
    case 'i32':
      w.u32(ValueType.INT32);
      w.i32(v.value);
      return;
    case 'f32':
      w.u32(ValueType.FLOAT32);
      w.f32(v.value);
      return;
    case 'u64':
      w.u32(ValueType.UINT64);
      w.u64(v.value);
      return;
    case 'bool':
      w.u32(ValueType.BOOL);
      w.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case 'string':
      w.u32(ValueType.STRING);
      w.str(v.value);
      return;
    case 'string[]':
      w.u32(ValueType.ARRAY);
      w.u32(ValueType.STRING);
      w.u64(v.value.length);
      for (const s of v.value) w.str(s);
      return;
    case 'i32[]':
    case 'f32[]':
      w.u32(ValueType.ARRAY);
      w.u32(v.type === 'i32[]' ? ValueType.INT32 : ValueType.FLOAT32);
      w.u64(v.value.length);
      for (const x of v.value) v.type === 'i32[]' ? w.i32(x) : w.f32(x);
      return;
  }
}

/** Serialises metadata and tensors into GGUF v3 bytes. */
export function encodeGguf(metadata: Record<string, GgufValue>, tensors: GgufTensor[]): Buffer {
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  const entries = Object.entries({ ...metadata, 'general.alignment': { type: 'u32', value: ALIGNMENT } as GgufValue });
  w.u64(entries.length);
  for (const [key, value] of entries) {
    w.str(key);
    writeValue(w, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offsets.push(offset);
    offset += t.bytes.length;
    offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
  }
  w.pad();
  const dataStart = w.length;
  for (let i = 0; i < tensors.length; i++) {
    const gap = dataStart + offsets[i] - w.length;
    if (gap > 0) w.push(Buffer.alloc(gap));
    const b = tensors[i].bytes;
    w.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  w.pad();
  return w.concat();
}

/** Parsed GGUF: metadata values and tensors (raw bytes). */
export interface ParsedGguf {
  metadata: Record<string, unknown>;
  tensors: GgufTensor[];
}

/** Parses GGUF v2/v3 bytes (the subset of value types this writer emits, plus the other scalars). */
class ByteReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private take(n: number): number {
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  u64(): number {
    return Number(this.buf.readBigUInt64LE(this.take(8)));
  }
  str(): string {
    const n = this.u64();
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }
  value(t: number): unknown {
    const b = this.buf;
    switch (t) {
      case ValueType.UINT8:
        return b.readUInt8(this.take(1));
      case ValueType.INT8:
        return b.readInt8(this.take(1));
      case ValueType.UINT16:
        return b.readUInt16LE(this.take(2));
      case ValueType.INT16:
        return b.readInt16LE(this.take(2));
      case ValueType.UINT32:
        return this.u32();
      case ValueType.INT32:
        return b.readInt32LE(this.take(4));
      case ValueType.FLOAT32:
        return b.readFloatLE(this.take(4));
      case ValueType.BOOL:
        return b.readUInt8(this.take(1)) !== 0;
      case ValueType.STRING:
        return this.str();
      case ValueType.UINT64:
        return this.u64();
      case ValueType.INT64:
        return Number(b.readBigInt64LE(this.take(8)));
      case ValueType.FLOAT64:
        return b.readDoubleLE(this.take(8));
      case ValueType.ARRAY: {
        const et = this.u32();
        const n = this.u64();
        return Array.from({ length: n }, () => this.value(et));
      }
      default:
        throw new Error(`GGUF: unknown value type ${t} at byte ${this.pos}`);
    }
  }
}

export function decodeGguf(buf: Buffer): ParsedGguf {
  const r = new ByteReader(buf);
  const u32 = () => r.u32();
  const u64 = () => r.u64();
  const str = () => r.str();
  const scalar = (t: number) => r.value(t);
  if (u32() !== GGUF_MAGIC) throw new Error('not a GGUF file (bad magic)');
  const version = u32();
  if (version < 2 || version > 3) throw new Error(`unsupported GGUF version ${version}`);
  const nTensors = u64();
  const nKv = u64();
  const metadata: Record<string, unknown> = {};
  for (let i = 0; i < nKv; i++) {
    const key = str();
    metadata[key] = scalar(u32());
  }
  const infos = Array.from({ length: nTensors }, () => {
    const name = str();
    const dims = Array.from({ length: u32() }, () => u64());
    return { name, dims, type: u32() as GgmlType, offset: u64() };
  });
  const align = (metadata['general.alignment'] as number | undefined) ?? ALIGNMENT;
  const dataStart = Math.ceil(r.pos / align) * align;
  const tensors = infos.map((info) => {
    const size = tensorByteSize(info.type, info.dims);
    const start = dataStart + info.offset;
    return {
      name: info.name,
      type: info.type,
      dims: info.dims,
      bytes: new Uint8Array(buf.subarray(start, start + size)),
    };
  });
  return { metadata, tensors };
}

export function tensorByteSize(type: GgmlType, dims: number[]): number {
  const n = dims.reduce((a, b) => a * b, 1);
  if (type === GgmlType.F32) return n * 4;
  if (type === GgmlType.F16) return n * 2;
  if (type === GgmlType.Q8_0) return (n / 32) * 34;
  throw new Error(`unsupported ggml type ${type}`);
}
