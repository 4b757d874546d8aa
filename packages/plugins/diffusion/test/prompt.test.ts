import { seededRandom } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import { parseScene, randomSpec, specPrompt, specWords } from '../src/data/scenes.js';
import { tokenize } from '../src/model/text.js';
import { planPrompt } from '../src/prompt.js';

describe('prompt routing', () => {
  it('routes digits written as numerals or words', () => {
    expect(planPrompt('the digit 7')).toMatchObject({ model: 'digits', digit: 7, unknown: [] });
    expect(planPrompt('Number seven please')).toMatchObject({ model: 'digits', digit: 7 });
    expect(planPrompt('the digit one')).toMatchObject({ model: 'digits', digit: 1 });
  });
  it('parses scenes with sizes, positions and relations', () => {
    const plan = planPrompt('A big red circle above a blue square');
    expect(plan).toMatchObject({ model: 'scenes', words: ['big', 'red', 'circle', 'above', 'blue', 'square'] });
    expect(planPrompt('a yellow triangle on the left')).toMatchObject({
      model: 'scenes',
      spec: { kind: 'single', position: 'left', positionNamed: true },
    });
    expect(planPrompt('a green box right of a tiny red disc')).toMatchObject({
      words: ['green', 'square', 'right', 'small', 'red', 'circle'],
    });
  });
  it('names unknown words and still draws what it knows', () => {
    const plan = planPrompt('a shiny red circle above a purple-ish blue square');
    expect(plan).toMatchObject({ model: 'scenes', unknown: ['shiny', 'purple', 'ish'] });
    expect(planPrompt('the digit 3 in red')).toMatchObject({ model: 'digits', unknown: ['red'] });
  });
  it('explains prompts it cannot draw', () => {
    expect(planPrompt('a cat on a sofa')).toMatchObject({
      error: expect.stringContaining('digits'),
      unknown: ['cat', 'sofa'],
    });
    expect(planPrompt('a circle')).toMatchObject({ error: expect.stringContaining('colour') });
    expect(planPrompt('the digits 3 and 4')).toMatchObject({ error: expect.stringContaining('one digit') });
    expect(planPrompt('a red circle a blue square')).toMatchObject({ error: expect.stringContaining('above') });
  });
  it('round-trips every generated training prompt through the parser', () => {
    const rand = seededRandom(5);
    for (let i = 0; i < 200; i++) {
      const spec = randomSpec(rand);
      const { words, unknown } = tokenize(specPrompt(spec));
      expect(unknown).toEqual([]);
      const parsed = parseScene(words);
      expect('error' in parsed ? parsed.error : specWords(parsed)).toEqual(specWords(spec));
    }
  });
});
