import { z } from 'zod';

/** Size and shape of a llama-architecture decoder (no biases, RMSNorm, RoPE, SwiGLU, tied embeddings). */
export const LlamaConfigSchema = z.object({
  vocabSize: z.number().int().positive(),
  dim: z.number().int().positive().multipleOf(32, 'dim must be a multiple of 32 (Q8_0 blocks)'),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  ffnDim: z.number().int().positive().multipleOf(32, 'ffnDim must be a multiple of 32 (Q8_0 blocks)'),
  contextLength: z.number().int().positive(),
  ropeTheta: z.number().positive().default(10000),
  normEps: z.number().positive().default(1e-5),
});
export type LlamaConfig = z.infer<typeof LlamaConfigSchema>;

/** Parses and checks a config (heads must divide dim into an even head size). */
export function parseLlamaConfig(input: unknown): LlamaConfig {
  const config = LlamaConfigSchema.parse(input);
  if (config.dim % config.heads !== 0) throw new Error(`dim ${config.dim} is not divisible by heads ${config.heads}`);
  if ((config.dim / config.heads) % 2 !== 0) throw new Error('head size must be even for RoPE');
  return config;
}

/** Named model sizes. `reference` is the 0.5M-param benchmark config (2 layers, d=128). */
export const PRESETS = {
  tiny: { dim: 32, layers: 1, heads: 2, ffnDim: 64, contextLength: 64 },
  reference: { dim: 128, layers: 2, heads: 4, ffnDim: 352, contextLength: 128 },
  shipped: { dim: 96, layers: 3, heads: 3, ffnDim: 256, contextLength: 256 },
} as const;

export type PresetName = keyof typeof PRESETS;

/** Number of trainable parameters (embeddings tied with the output projection). */
export function parameterCount(c: LlamaConfig): number {
  const perLayer = 4 * c.dim * c.dim + 3 * c.dim * c.ffnDim + 2 * c.dim;
  return c.vocabSize * c.dim + c.layers * perLayer + c.dim;
}

/** The weight names and shapes, as GGUF names them. Matrices are stored `[in, out]` (x @ W). */
export function weightShapes(c: LlamaConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = { 'token_embd.weight': [c.vocabSize, c.dim] };
  for (let i = 0; i < c.layers; i++) {
    const p = `blk.${i}.`;
    shapes[`${p}attn_norm.weight`] = [c.dim];
    for (const n of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) shapes[`${p}${n}.weight`] = [c.dim, c.dim];
    shapes[`${p}ffn_norm.weight`] = [c.dim];
    shapes[`${p}ffn_gate.weight`] = [c.dim, c.ffnDim];
    shapes[`${p}ffn_up.weight`] = [c.dim, c.ffnDim];
    shapes[`${p}ffn_down.weight`] = [c.ffnDim, c.dim];
  }
  shapes['output_norm.weight'] = [c.dim];
  return shapes;
}
