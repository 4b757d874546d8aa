/**
 * The `imagine` tool: a remote text-to-image model when the host has one configured (and granted),
 * otherwise the local diffusion models. Progress follows the denoising steps; the call's signal
 * stops sampling between steps.
 */
import { randomInt } from 'node:crypto';
import { decodePng, encodePng, grid, type RgbImage, upscaleNearest } from '@hearth/ml/image';
import { defineTool, result, type ToolContext, ValidationError } from '@hearth/sdk';
import { z } from 'zod';
import { specPrompt } from './data/scenes.js';
import { localModel, localObjectModel } from './local.js';
import { planPrompt } from './prompt.js';

export const MAX_PROMPT = 200;

export const imagineInput = z.object({
  prompt: z
    .string()
    .trim()
    .min(1, 'the prompt is empty: describe the image, e.g. "the digit 7" or "a red circle above a blue square"')
    .max(MAX_PROMPT, `the prompt is too long (at most ${MAX_PROMPT} characters)`)
    .describe('What to draw, e.g. "the digit 7" or "a red circle above a blue square"'),
  negative_prompt: z.string().trim().max(MAX_PROMPT).optional().describe('What to avoid (remote models only)'),
  seed: z.number().int().min(0).max(2_147_483_647).optional().describe('Seed for reproducible images; random if unset'),
  steps: z.number().int().min(1).max(50).default(20).describe('Denoising steps (1-50)'),
  guidance: z.number().min(0).max(20).default(3).describe('How strongly to follow the prompt (0-20; 0 ignores it)'),
  size: z
    .number()
    .int()
    .min(16)
    .max(1024)
    .multipleOf(16)
    .default(256)
    .describe('Image side in pixels (16-1024, multiple of 16)'),
  count: z.number().int().min(1).max(16).default(1).describe('Number of images (1-16), shown as a grid'),
  backend: z
    .enum(['auto', 'local', 'remote'])
    .default('auto')
    .describe('auto: remote model when configured, else local'),
});

export const imagineOutput = z.object({
  backend: z.enum(['local', 'remote']),
  model: z.string(),
  seed: z.number().int(),
  steps: z.number().int(),
  guidance: z.number(),
  count: z.number().int(),
  unknown_words: z.array(z.string()),
});

type Input = z.infer<typeof imagineInput>;
type Output = z.infer<typeof imagineOutput>;

/** Where the local models' weights are read from (default: the shipped assets). */
export interface ImagineOptions {
  weightsDir?: string;
}

/** The `imagine` tool, reading local weights from `options.weightsDir`. */
export function createImagineTool(options: ImagineOptions = {}) {
  return defineTool({
    name: 'imagine',
    description: 'Generate an image from a text prompt (local digits/shapes model, or a remote model)',
    input: imagineInput,
    output: imagineOutput,
    timeoutMs: 120_000,
    async run(input, ctx) {
      const seed = input.seed ?? randomInt(0, 2_147_483_647);
      const remote = ctx.granted.has('models:image') && ctx.models.has('image');
      if (input.backend === 'remote' && !remote) {
        throw new ValidationError(
          'backend "remote" needs an image model configured and the models:image permission granted',
        );
      }
      return remote && input.backend !== 'local' ? runRemote(input, seed, ctx) : runLocal(input, seed, ctx, options);
    },
  });
}

async function runLocal(input: Input, seed: number, ctx: ToolContext, options: ImagineOptions) {
  const plan = planPrompt(input.prompt);
  const unknownNote = (unknown: string[]) =>
    unknown.length ? `Unknown words ignored: ${[...new Set(unknown)].map((w) => `"${w}"`).join(', ')}.` : '';
  if ('error' in plan)
    throw new ValidationError(`Cannot draw "${input.prompt}": ${plan.error}. ${unknownNote(plan.unknown)}`.trim());
  const model = await localModel(plan.model, options.weightsDir);
  if (input.size % model.size !== 0) {
    throw new ValidationError(`size must be a multiple of ${model.size} for the local model (e.g. 128 or 256)`);
  }
  ctx.progress(0, `denoising 0/${input.steps}`);
  const sampling = {
    count: input.count,
    steps: input.steps,
    guidance: input.guidance,
    seed,
    signal: ctx.signal,
    onStep: (done: number, total: number) => ctx.progress(done / total, `denoising ${done}/${total}`),
  };
  // Scene prompts are composed object by object (see diffusion/compose.ts), each drawn by the
  // object model when the weights folder has one.
  const objects = plan.model === 'scenes' ? await localObjectModel(options.weightsDir) : undefined;
  const images =
    plan.model === 'scenes'
      ? await model.generateScene(plan.spec, { ...sampling, objects })
      : await model.generate({ ...sampling, words: plan.words });
  const factor = input.size / model.size;
  const png = encodePng(
    grid(
      images.map((im) => upscaleNearest(im, factor)),
      { gap: factor },
    ),
  );
  const understood = plan.model === 'digits' ? `the digit ${plan.digit}` : specPrompt(plan.spec);
  const alt = altText(input.prompt, input.count, `local ${plan.model} model`);
  const text = [
    `Drew ${input.count === 1 ? '' : `${input.count} × `}**${understood}** with the local ${plan.model} model (seed ${seed}, ${input.steps} steps, guidance ${input.guidance}).`,
    unknownNote(plan.unknown),
    input.negative_prompt ? 'The local model ignores the negative prompt.' : '',
  ].filter(Boolean);
  const data: Output = {
    backend: 'local',
    model: `hearth-${plan.model}${objects ? '+objects' : ''}`,
    seed,
    steps: input.steps,
    guidance: input.guidance,
    count: input.count,
    unknown_words: [...new Set(plan.unknown)],
  };
  return { content: [result.text(text.join(' ')), result.image(png, alt)], data };
}

async function runRemote(input: Input, seed: number, ctx: ToolContext) {
  const pngs: Uint8Array[] = [];
  for (let i = 0; i < input.count; i++) {
    ctx.progress(i / input.count, `image ${i + 1}/${input.count}`);
    pngs.push(
      await ctx.models.textToImage({
        prompt: input.prompt,
        negativePrompt: input.negative_prompt,
        width: input.size,
        height: input.size,
        steps: input.steps,
        guidance: input.guidance,
        seed: seed + i,
        signal: ctx.signal,
      }),
    );
  }
  ctx.progress(1, 'done');
  const png = pngs.length === 1 ? pngs[0] : encodePng(grid(pngs.map(decodeForGrid), { gap: 4 }));
  const data: Output = {
    backend: 'remote',
    model: 'configured image model',
    seed,
    steps: input.steps,
    guidance: input.guidance,
    count: input.count,
    unknown_words: [],
  };
  const text = `Generated ${input.count === 1 ? 'an image' : `${input.count} images`} with the configured image model (seed ${seed}).`;
  return { content: [result.text(text), result.image(png, altText(input.prompt, input.count, 'remote model'))], data };
}

function decodeForGrid(bytes: Uint8Array): RgbImage {
  try {
    return decodePng(bytes);
  } catch {
    throw new Error('the image model returned something that is not a PNG, so no grid can be made (use count 1)');
  }
}

/** Alt text from the prompt (Discord allows 1024 characters). */
function altText(prompt: string, count: number, by: string): string {
  const what = count === 1 ? 'Image' : `Grid of ${count} images`;
  return `${what} generated by the ${by} from the prompt "${prompt}"`.slice(0, 1000);
}
