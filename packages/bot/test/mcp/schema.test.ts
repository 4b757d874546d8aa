import { describe, expect, it } from 'vitest';
import { toDraft07 } from '../../src/mcp/schema.js';

describe('toDraft07', () => {
  it('drops the 2020-12 declaration, spells $defs as definitions and rewrites refs into them', () => {
    const out = toDraft07({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { type: 'object', properties: { street: { type: 'string' } } } },
      properties: { home: { $ref: '#/$defs/address' }, list: { type: 'array', items: { $ref: '#/$defs/address' } } },
      additionalProperties: false,
    });
    expect(out).toEqual({
      type: 'object',
      definitions: { address: { type: 'object', properties: { street: { type: 'string' } } } },
      properties: {
        home: { $ref: '#/definitions/address' },
        list: { type: 'array', items: { $ref: '#/definitions/address' } },
      },
      additionalProperties: false,
    });
  });

  it('keeps property names that look like keywords', () => {
    const out = toDraft07({ type: 'object', properties: { $schema: { type: 'string' }, $defs: { type: 'number' } } });
    expect(out).toEqual({ type: 'object', properties: { $schema: { type: 'string' }, $defs: { type: 'number' } } });
  });

  it('leaves the input untouched', () => {
    const input = { $schema: 'x', type: 'object' };
    toDraft07(input);
    expect(input.$schema).toBe('x');
  });
});
