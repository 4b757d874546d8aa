import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { ArtifactStore, safeName } from '../../src/mcp/artifacts.js';
import { canReadArtifact, ownerOf } from '../../src/mcp/owner.js';

const store = (keep = 3) => new ArtifactStore(mkdtempSync(join(tmpdir(), 'hearth-artifacts-')), keep);
const caller = (userId: string, guildId?: string): Caller => ({
  surface: 'mcp',
  userId,
  guildId,
  roles: [],
  isAdmin: false,
});
const me = caller('agent');
const myOwner = ownerOf(me);
const bytes = (n: number) => new Uint8Array([n]);
/** 20 letters, one `_`, then 75 letters: the last 80 characters start with `_`. */
const CUT_AT_UNDERSCORE = `${'x'.repeat(20)}_${'y'.repeat(75)}.png`;

describe('artifact names', () => {
  it('never start with "_" or "." after cutting to 80 characters', () => {
    expect(CUT_AT_UNDERSCORE.slice(-80).startsWith('_')).toBe(true);
    const safe = safeName(CUT_AT_UNDERSCORE, 'image/png');
    expect(safe).toMatch(/^[A-Za-z0-9]/);
    expect(safe.length).toBeLessThanOrEqual(80);
    expect(safeName('._hidden', 'text/plain')).toBe('hidden');
    expect(safeName('a picture', 'image/png')).toBe('a_picture.png');
    expect(safeName('___', 'text/plain')).toBe('file');
    expect(safeName('../../etc/passwd', 'text/plain')).toBe('etc_passwd');
  });
});

describe('ArtifactStore', () => {
  it('reads back and lists an artifact whose long name was cut at an underscore', async () => {
    const s = store();
    const saved = await s.save(CUT_AT_UNDERSCORE, bytes(1), 'image/png', myOwner);
    expect((await s.read(saved.file, me))?.data[0]).toBe(1);
    expect((await s.list(me)).map((a) => a.file)).toEqual([saved.file]);
  });

  it('keeps at most `keep` files, pruning long names and files left by older versions too', async () => {
    const s = store(3);
    await s.save('first.png', bytes(0), 'image/png', myOwner);
    // what an older version wrote: a name part starting with "_" that it could neither read nor prune
    writeFileSync(join(s.dir, `000000001-deadbeef-_${'y'.repeat(75)}.png`), 'old');
    for (let i = 0; i < 5; i++) await s.save(CUT_AT_UNDERSCORE, bytes(i), 'image/png', myOwner);
    const files = readdirSync(s.dir).filter((f) => f !== '.meta');
    expect(files).toHaveLength(3);
    expect(files.some((f) => f.startsWith('000000001-'))).toBe(false);
    expect(readdirSync(join(s.dir, '.meta'))).toHaveLength(3);
  });

  it('shows each artifact only to the principal (and guild) that made it', async () => {
    const s = store(10);
    const mine = await s.save('mine.png', bytes(1), 'image/png', myOwner);
    const theirs = await s.save('theirs.png', bytes(2), 'image/png', ownerOf(caller('other')));
    const guild = await s.save('guild.png', bytes(3), 'image/png', ownerOf(caller('agent', 'g1')));
    expect((await s.list(me)).map((a) => a.file)).toEqual([mine.file]);
    expect((await s.list(caller('other'))).map((a) => a.file)).toEqual([theirs.file]);
    expect((await s.list(caller('agent', 'g1'))).map((a) => a.file)).toEqual([guild.file]);
    expect(await s.read(theirs.file, me)).toBeUndefined();
    expect(await s.read(mine.file, caller('other'))).toBeUndefined();
    expect((await s.read(mine.file, me))?.data[0]).toBe(1);
  });

  it('refuses names outside the folder', async () => {
    const s = store();
    expect(await s.read('../secret', me)).toBeUndefined();
    expect(await s.read('000000001-deadbeef-..', me)).toBeUndefined();
  });

  it('the ownership rule: same principal and guild; artifacts without an owner belong to nobody', () => {
    expect(canReadArtifact({ principal: 'agent' }, me)).toBe(true);
    expect(canReadArtifact({ principal: 'agent', guildId: 'g' }, me)).toBe(false);
    expect(canReadArtifact(undefined, me)).toBe(false);
  });
});
