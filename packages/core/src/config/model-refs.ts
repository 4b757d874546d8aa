import { z } from 'zod';
import { MODEL_REF_FORMS, parseModelRef, safeRef } from '../providers/refs.js';

/** Which model a reference is for: each task accepts its own forms. */
export type ModelRefTask = 'chat' | 'embed' | 'image';

const EMBED_FORMS = 'local, local:<variant> or hf:<repo id>';

/**
 * Why `value` is not a usable reference for `task`, or undefined when it is. Checked when config
 * loads, so a typo like `gpt-4` stops every command with the key, the value and the accepted forms
 * instead of silently falling back to extractive answers.
 */
export function modelRefProblem(task: ModelRefTask, value: string): string | undefined {
  const text = value.trim();
  const shown = `"${safeRef(text)}"`;
  if (task === 'embed') {
    if (text === 'local' || /^local:[\w-]+$/.test(text)) return undefined;
    if (text.startsWith('hf:')) return parseProblem(text, shown, EMBED_FORMS);
    return `${shown} is not an embedding model reference. Valid forms: ${EMBED_FORMS}.`;
  }
  const problem = parseProblem(text, shown, MODEL_REF_FORMS);
  if (problem || task === 'chat') return problem;
  // image: only remote text-to-image models are configured here; plugins bring their own local one
  if (!text.startsWith('hf:'))
    return `${shown} is not a text-to-image model reference. Valid form: hf:<repo id> (unset, image plugins use their local model).`;
  return undefined;
}

function parseProblem(text: string, shown: string, forms: string): string | undefined {
  try {
    parseModelRef(text);
    return undefined;
  } catch (err) {
    const detail = (err as Error).message.replace(/:? use hf:<repo id>.*$/, '.');
    const withValue = detail.includes(shown) ? detail : `${shown}: ${detail}`;
    return `${withValue.replace(/\.?$/, '.')} Valid forms: ${forms}.`;
  }
}

/** A zod string that must be a valid model reference for `task`. */
export function modelRefSchema(task: ModelRefTask) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = modelRefProblem(task, value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
