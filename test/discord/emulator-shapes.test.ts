import { describe, expect, it } from 'vitest';
import type { HttpError } from './emulator/http.js';
import { checkCallback, checkCommands, checkMessageBody } from './emulator/shapes.js';

/** The error tree the emulator answers with, or undefined when the body is accepted. */
function refusal(run: () => void): Record<string, unknown> | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    const e = err as HttpError;
    expect(e.status).toBe(400);
    expect(e.code).toBe(50035);
    return e.errors;
  }
}

const codeAt = (tree: Record<string, any> | undefined, ...path: (string | number)[]) =>
  path.reduce((node: any, p) => node?.[String(p)], tree)?._errors?.[0]?.code;

describe('the emulator refuses what Discord refuses', () => {
  it('application commands: names, descriptions, option order, context menus, localisations', () => {
    const ok = {
      type: 1,
      name: 'ask',
      description: 'Ask',
      options: [{ type: 3, name: 'q', description: 'q', required: true }],
    };
    expect(refusal(() => checkCommands([ok, { type: 3, name: 'Ask Hearth' }]))).toBeUndefined();
    expect(
      codeAt(
        refusal(() => checkCommands([{ ...ok, name: 'Ask' }])),
        0,
        'name',
      ),
    ).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect(
      codeAt(
        refusal(() => checkCommands([{ ...ok, description: 'x'.repeat(101) }])),
        0,
        'description',
      ),
    ).toBe('BASE_TYPE_BAD_LENGTH');
    const order = refusal(() =>
      checkCommands([
        {
          ...ok,
          options: [
            { type: 3, name: 'a', description: 'a' },
            { type: 3, name: 'b', description: 'b', required: true },
          ],
        },
      ]),
    );
    expect(codeAt(order, 0, 'options', 1, 'required')).toBe('APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID');
    expect(
      codeAt(
        refusal(() => checkCommands([{ type: 3, name: 'Menu', description: 'no' }])),
        0,
        'description',
      ),
    ).toBe('APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION');
    expect(
      codeAt(
        refusal(() => checkCommands([{ ...ok, name_localizations: { klingon: 'x' } }])),
        0,
        'name_localizations',
        'klingon',
      ),
    ).toBe('LOCALE_INVALID');
    expect(
      codeAt(
        refusal(() => checkCommands([ok, ok])),
        1,
        'name',
      ),
    ).toBe('APPLICATION_COMMANDS_DUPLICATE_NAME');
  });

  it('components: action rows of at most five buttons, unique custom ids, link buttons without one', () => {
    const button = (id: string) => ({ type: 2, style: 2, label: id, custom_id: id });
    const row = (n: number) => ({ type: 1, components: Array.from({ length: n }, (_, i) => button(`b${i}`)) });
    expect(refusal(() => checkMessageBody({ content: 'hi', components: [row(5)] }))).toBeUndefined();
    expect(
      codeAt(
        refusal(() => checkMessageBody({ components: [row(6)] })),
        'components',
        0,
        'components',
      ),
    ).toBe('BASE_TYPE_BAD_LENGTH');
    expect(
      codeAt(
        refusal(() => checkMessageBody({ components: [button('x')] })),
        'components',
        0,
        'type',
      ),
    ).toBe('UNION_TYPE_CHOICES');
    const dup = { type: 1, components: [button('x'), button('x')] };
    expect(
      codeAt(
        refusal(() => checkMessageBody({ components: [dup] })),
        'components',
        0,
        'components',
        1,
        'custom_id',
      ),
    ).toBe('COMPONENT_CUSTOM_ID_DUPLICATED');
    const link = { type: 1, components: [{ type: 2, style: 5, label: 'x', url: 'https://x', custom_id: 'x' }] };
    expect(
      codeAt(
        refusal(() => checkMessageBody({ components: [link] })),
        'components',
        0,
        'components',
        0,
        'custom_id',
      ),
    ).toBe('COMPONENT_LINK_CUSTOM_ID');
    expect(
      codeAt(
        refusal(() => checkMessageBody({ content: 'x'.repeat(2001) })),
        'content',
      ),
    ).toBe('BASE_TYPE_MAX_LENGTH');
  });

  it('interaction callbacks: the type must fit the interaction', () => {
    expect(refusal(() => checkCallback(2, { type: 5 }))).toBeUndefined();
    expect(refusal(() => checkCallback(3, { type: 6 }))).toBeUndefined();
    expect(
      codeAt(
        refusal(() => checkCallback(2, { type: 6 })),
        'type',
      ),
    ).toBe('INTERACTION_CALLBACK_TYPE_INVALID');
    expect(
      codeAt(
        refusal(() => checkCallback(4, { type: 4, data: { content: 'x' } })),
        'type',
      ),
    ).toBe('INTERACTION_CALLBACK_TYPE_INVALID');
    expect(
      codeAt(
        refusal(() => checkCallback(4, { type: 8, data: {} })),
        'data',
        'choices',
      ),
    ).toBe('BASE_TYPE_REQUIRED');
  });
});
