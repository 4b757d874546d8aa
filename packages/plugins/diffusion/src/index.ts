/**
 * Hearth's diffusion plugin: `imagine` draws images from text, with a remote text-to-image model
 * when the host has one, or offline with small diffusion models trained here (digits and
 * coloured shapes). Built only on @hearth/sdk and @hearth/ml.
 * @packageDocumentation
 */
import { definePlugin } from '@hearth/sdk';
import { createImagineTool, type ImagineOptions } from './tool.js';

/** The plugin with local weights from `options.weightsDir` (e.g. a model retrained with `hearth diffusion train`). */
export function createDiffusionPlugin(options: ImagineOptions = {}) {
  return definePlugin({
    id: 'diffusion',
    version: '0.1.0',
    hearth: '^0.1.0',
    description: 'Text to image: a remote model when configured, else local diffusion models for digits and shapes',
    permissions: ['models:image'],
    tools: [createImagineTool(options)],
  });
}

/** The plugin with the shipped weights. */
export const plugin = createDiffusionPlugin();

export default plugin;
export { COMPOSERS, type Composer, DEFAULT_COMPOSER, sampleScenes } from './diffusion/compose.js';
export { type EvalOptions, type EvalReport, evaluate } from './eval/evaluate.js';
export { ASSETS_DIR, LocalImageModel, localModel } from './local.js';
export { tokenize, VOCABULARY } from './model/text.js';
export { type PromptPlan, planPrompt } from './prompt.js';
export { createImagineTool, type ImagineOptions, imagineInput, imagineOutput } from './tool.js';
export { TRAIN_DEFAULTS, type TrainOptions, type TrainReport, train } from './train.js';
