/**
 * Each reply matches the protocol version its session negotiated (raw JSON-RPC over stdio, so no
 * client library hides a field): resource_link, structuredContent, outputSchema and titles only from
 * 2025-06-18, audio content only from 2025-03-26.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { answer, initialize, open, type Wire } from './wire.js';

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const types = (result: { content: { type: string }[] }) => result.content.map((c) => c.type);

describe('replies follow the negotiated protocol version', () => {
  let wire: Wire | undefined;
  afterEach(() => wire?.close());

  it('2024-11-05: no titles, output schemas, structured content, resource links or audio content', async () => {
    wire = open({ fixtures: true });
    const init = await initialize(wire, '2024-11-05');
    expect(init.protocolVersion).toBe('2024-11-05');
    expect(init.serverInfo.title).toBeUndefined();
    wire.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const { tools } = (await answer(wire, 1)).result;
    for (const t of tools) expect(t.outputSchema === undefined && t.title === undefined, t.name).toBe(true);
    wire.send({ jsonrpc: '2.0', id: 2, method: 'prompts/list' });
    for (const p of (await answer(wire, 2)).result.prompts) expect(p.title, p.name).toBeUndefined();

    wire.send(call(3, 'demo_picture'));
    const pic = (await answer(wire, 3)).result;
    expect(pic.structuredContent).toBeUndefined();
    expect(types(pic)).not.toContain('resource_link');
    expect(types(pic)).toContain('image');
    expect(JSON.stringify(pic.content)).toMatch(/Image kept as hearth:\/\/artifacts\/.*a red dot, 1x1 pixels/);
    expect(JSON.parse(pic.content.at(-1).text)).toMatchObject({
      subject: 'a red dot',
      artifacts: [{ mimeType: 'image/png' }],
    });

    wire.send(call(4, 'test_audio_content'));
    const audio = (await answer(wire, 4)).result;
    expect(types(audio)).toEqual(['resource']);
    expect(audio.content[0].resource.mimeType).toBe('audio/wav');
  });

  it('2025-03-26: audio content, but still no resource links or structured content', async () => {
    wire = open({ fixtures: true });
    await initialize(wire, '2025-03-26');
    wire.send(call(1, 'test_audio_content'));
    expect(types((await answer(wire, 1)).result)).toEqual(['audio']);
    wire.send(call(2, 'demo_picture'));
    const pic = (await answer(wire, 2)).result;
    expect(types(pic)).not.toContain('resource_link');
    expect(pic.structuredContent).toBeUndefined();
  });

  it('2025-06-18: resource links, structured content with the artifacts, output schemas with them', async () => {
    wire = open({ fixtures: true });
    await initialize(wire, '2025-06-18');
    wire.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const picture = (await answer(wire, 1)).result.tools.find((t: { name: string }) => t.name === 'demo_picture');
    expect(picture.outputSchema.properties.artifacts.type).toBe('array');
    expect(picture.outputSchema.$schema).toBeUndefined();
    wire.send(call(2, 'demo_picture'));
    const pic = (await answer(wire, 2)).result;
    expect(types(pic)).toEqual(['text', 'image', 'resource_link', 'text']);
    expect(pic.structuredContent.artifacts[0]).toMatchObject({ alt: 'a red dot, 1x1 pixels', mimeType: 'image/png' });
    wire.send(call(3, 'test_audio_content'));
    expect(types((await answer(wire, 3)).result)).toEqual(['audio', 'resource_link']);
  });
});
