/**
 * Routes a prompt to one of the local models: a digit ("the digit 7", "number seven") goes to the
 * digits model, shapes with colours ("a red circle above a blue square") to the scenes model.
 * Words neither model knows are collected so the reply can name them.
 */
import { parseScene, type SceneSpec, specWords } from './data/scenes.js';
import { DIGIT_WORDS, tokenize, type Word } from './model/text.js';

export type PromptPlan =
  | { model: 'digits'; digit: number; words: Word[]; unknown: string[] }
  | { model: 'scenes'; spec: SceneSpec; words: Word[]; unknown: string[] };

/** A plan for the local models, or an error message that says what the prompt lacks. */
export function planPrompt(prompt: string): PromptPlan | { error: string; unknown: string[] } {
  const { words, unknown } = tokenize(prompt);
  const digits = [...new Set(words.filter((w) => DIGIT_WORDS.includes(w)))];
  if (digits.length > 1) return { error: `ask for one digit at a time (got ${digits.join(', ')})`, unknown };
  if (digits.length === 1) {
    // Scene words mean nothing to the digits model: report them with the unknown ones.
    const ignored = words.filter((w) => !DIGIT_WORDS.includes(w));
    return {
      model: 'digits',
      digit: DIGIT_WORDS.indexOf(digits[0]),
      words: [digits[0]],
      unknown: [...unknown, ...ignored],
    };
  }
  const spec = parseScene(words);
  if ('error' in spec) {
    const hint =
      'the local models draw digits ("the digit 7") and coloured shapes ("a red circle above a blue square")';
    return { error: words.length === 0 ? hint : `${spec.error}; ${hint}`, unknown };
  }
  return { model: 'scenes', spec, words: specWords(spec), unknown };
}
