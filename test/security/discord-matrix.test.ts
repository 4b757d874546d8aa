import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../discord/emulator/server.js';
import { type Rig, startRig } from '../discord/harness.js';

// The permission matrix of docs/security.md on Discord (real discord.js against the emulator):
// a guild admin manages the guild's knowledge, never the operator's global knowledge; members and
// DM users change nothing.
describe('Discord permission matrix', () => {
  let rig: Rig;
  let globalId: string;
  let guildId: string;
  beforeAll(async () => {
    rig = await startRig({ discord: { rateLimits: { user: { max: 0 }, guild: { max: 0 } } } });
    globalId = (await rig.hearth.knowledge.addText({ title: 'Operator handbook', text: 'Global rules.' })).sourceId;
    guildId = (
      await rig.hearth.knowledge.addText(
        { title: 'Guild FAQ', text: 'Guild answers.' },
        { scope: { guildId: rig.emu.world.guildId } },
      )
    ).sourceId;
  }, 60_000);
  afterAll(async () => rig?.close());

  const reply = (record: InteractionRecord, what: string) =>
    rig.emu.waitFor(
      () => rig.emu.interactionMessages(record).find((m) => m.content && !/^\s*$/.test(m.content))?.content,
      15_000,
      what,
    );
  const remove = (id: string, user = rig.emu.world.alice, channelId?: string) =>
    rig.emu.command('knowledge', [{ name: 'remove', type: 1, options: [{ name: 'source_id', type: 3, value: id }] }], {
      user,
      ...(channelId ? { channelId } : {}),
    });
  const exists = async (id: string) => (await rig.hearth.knowledge.getSource(id)) !== undefined;

  it('a guild admin cannot remove global knowledge', async () => {
    const text = await reply(remove(globalId, rig.emu.world.admin), 'refusal');
    expect(text).toMatch(/global knowledge, shared by every server; only the operator may remove it/);
    expect(await exists(globalId)).toBe(true);
  });

  it('a member can remove nothing, not even the guild’s own knowledge', async () => {
    const text = await reply(remove(guildId), 'refusal');
    expect(text).toMatch(/only server admins may change the knowledge base/);
    expect(await exists(guildId)).toBe(true);
  });

  it('a member cannot add knowledge; a DM user neither', async () => {
    const before = (await rig.hearth.knowledge.listSources()).length;
    const add = (channelId?: string) =>
      rig.emu.command(
        'knowledge',
        [
          {
            name: 'add',
            type: 1,
            options: [
              { name: 'title', type: 3, value: 'Spam' },
              { name: 'text', type: 3, value: 'spam' },
            ],
          },
        ],
        channelId ? { channelId } : {},
      );
    expect(await reply(add(), 'member refusal')).toMatch(/only server admins/);
    const dm = rig.emu.world.dmChannel(rig.emu.world.alice.id).id;
    expect(await reply(add(dm), 'DM refusal')).toMatch(/only server admins|may not add/);
    expect(await rig.hearth.knowledge.listSources()).toHaveLength(before);
  });

  it('a guild admin removes the guild’s own knowledge', async () => {
    const text = await reply(remove(guildId, rig.emu.world.admin), 'removal');
    expect(text).toContain(`Removed ${guildId}`);
    expect(await exists(guildId)).toBe(false);
  });
});
