import {
  type AtomicStorageApi,
  type AutocompleteChoice,
  definePlugin,
  defineTool,
  type PermissionDeniedError,
  type PermissionFailure,
  type ToolContext,
  type ToolNames,
  type ToolReturn,
  toolNames,
} from '@hearth/sdk';
import { createTestHost, type TestCall } from '@hearth/sdk/testing';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

// These assertions are checked by the type-checker (`pnpm typecheck`); at run time they only need to load.
describe('SDK types', () => {
  it('infers run input from the zod schema (defaults applied) and data from the output schema', () => {
    const tool = defineTool({
      name: 'greet',
      description: 'greets',
      input: z.object({ name: z.string(), times: z.number().int().default(1), tags: z.array(z.string()).optional() }),
      output: z.object({ greeting: z.string() }),
      async run(input, ctx) {
        expectTypeOf(input).toEqualTypeOf<{ name: string; times: number; tags?: string[] | undefined }>();
        expectTypeOf(ctx).toEqualTypeOf<ToolContext>();
        return { content: [], data: { greeting: `hi ${input.name}` } };
      },
    });
    expectTypeOf(tool.run).returns.toEqualTypeOf<Promise<ToolReturn<{ greeting: string }>>>();
    // a wrong data shape is a type error
    defineTool({
      name: 'bad',
      description: 'bad',
      input: z.object({}),
      output: z.object({ n: z.number() }),
      // @ts-expect-error data must match the output schema
      run: async () => ({ content: [], data: { n: 'one' } }),
    });
  });

  it('types the context services, autocomplete and permission errors', () => {
    expectTypeOf<ToolContext['storage']>().toEqualTypeOf<AtomicStorageApi>();
    expectTypeOf<AtomicStorageApi['update']>().toBeFunction();
    expectTypeOf<ToolContext['fetch']>().toEqualTypeOf<typeof fetch>();
    expectTypeOf<ToolContext['granted']>().toEqualTypeOf<
      ReadonlySet<
        'models:chat' | 'models:embed' | 'models:image' | 'knowledge:read' | 'knowledge:write' | 'storage' | 'network'
      >
    >();
    expectTypeOf<PermissionDeniedError['reason']>().toEqualTypeOf<PermissionFailure | undefined>();
    expectTypeOf<AutocompleteChoice>().toEqualTypeOf<string | number | { name: string; value: string | number }>();
    expectTypeOf(toolNames).returns.toEqualTypeOf<ToolNames>();
  });

  it('types the test host', async () => {
    const plugin = definePlugin({
      id: 't',
      version: '1.0.0',
      hearth: '^0.1.0',
      description: 't',
      permissions: ['storage'],
      tools: [defineTool({ name: 'x', description: 'x', input: z.object({}), run: async () => 'ok' })],
    });
    const host = await createTestHost(plugin, { grant: ['storage'] });
    expectTypeOf(host.call).returns.toEqualTypeOf<Promise<TestCall>>();
    // @ts-expect-error only known permissions
    void createTestHost(plugin, { grant: ['root'] }).catch(() => {});
  });
});
