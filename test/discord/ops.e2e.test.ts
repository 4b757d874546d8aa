/**
 * The Discord surface's metrics and request ids, in one process against the emulator: each
 * handled event is counted, replies and failures are counted, and every log line written while
 * one message is handled carries that message's request id.
 */
import { metrics } from '@hearth/core/ops';
import { afterAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './harness.js';
import { sample } from './processes.js';

const series = {
  messages: 'hearth_discord_events_total{event="message_create"}',
  replies: 'hearth_discord_events_total{event="reply_sent"}',
};
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** Every hearth_errors_total sample of area="discord", summed. */
const discordErrors = async () =>
  (await metrics().scrape()).body
    .split('\n')
    .filter((l) => l.startsWith('hearth_errors_total{area="discord"'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
const count = async (name: string) => sample((await metrics().scrape()).body, name);

describe('Discord metrics and request ids', () => {
  let rig: Rig;
  afterAll(async () => {
    await rig?.close();
  });

  it("counts events, replies and failures, and tags each message's log lines with its own request id", async () => {
    let fail = false;
    rig = await startRig({ script: () => (fail ? { status: 500 } : { text: 'Counted answer.' }) });
    const before = { messages: await count(series.messages), replies: await count(series.replies) };

    const first = rig.emu.say('what does the guide say about counting?');
    await rig.emu.waitFor(() => rig.emu.repliesTo(first.id)[0], 20_000, 'first reply');
    const second = rig.emu.say('and what about request ids?');
    await rig.emu.waitFor(() => rig.emu.repliesTo(second.id)[0], 20_000, 'second reply');
    expect(await count(series.messages)).toBe(before.messages + 2);
    // the emulator stores a reply before its HTTP response reaches the bot, which counts it then
    await until(async () => (await count(series.replies)) >= before.replies + 2, 'both replies counted');

    // each event's lines carry its own request id, and the engine's lines inside it the same one
    const lines = rig.logs.map(
      (l) => JSON.parse(l) as { requestId?: string; id?: string; msg?: string; area?: string },
    );
    const idOf = (eventId: string) =>
      lines.find((l) => l.msg === 'discord: handling event' && l.id === eventId)?.requestId;
    const [r1, r2] = [idOf(first.id), idOf(second.id)];
    expect(r1).toMatch(/^[0-9a-f]{16}$/);
    expect(r2).toMatch(/^[0-9a-f]{16}$/);
    expect(r1).not.toBe(r2);
    expect(lines.some((l) => l.requestId === r1 && l.area !== 'discord')).toBe(true);

    // a model failure reaches the user as a notice and is counted under area="discord"
    const errorsBefore = await discordErrors();
    fail = true;
    const third = rig.emu.say('this one fails');
    const notice = await rig.emu.waitFor(
      () => rig.emu.repliesTo(third.id).find((m) => m.content.startsWith('⚠️')),
      20_000,
      'failure notice',
    );
    expect(notice.content).toContain('⚠️');
    await until(async () => (await discordErrors()) > errorsBefore, 'the failure counted');
  });
});
