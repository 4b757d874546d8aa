import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfigInput, configSchema, createHearth, createLogger, type Hearth, Redactor } from '@hearth/core';
import { type DiscordSurface, startDiscord } from '../../packages/bot/src/discord/index.js';
import { type OpenAiServer, type Script, startOpenAiServer } from '../servers/openai-hf.js';
import { type Emulator, startEmulator } from './emulator/server.js';

export const TEST_PLUGIN = fileURLToPath(new URL('./fixtures/test-plugin.ts', import.meta.url));

/** A bot under test: the emulator, the OpenAI-protocol model server, a real Hearth and the surface. */
export interface Rig {
  emu: Emulator;
  model: OpenAiServer;
  hearth: Hearth;
  bot: DiscordSurface;
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the Discord emulator, a scripted OpenAI-compatible chat server and a real Hearth
 * (temp data folder, the test plugin loaded), then the Discord surface against the emulator.
 */
export async function startRig(
  options: { script?: Script; discord?: ConfigInput['discord']; engine?: ConfigInput['engine'] } = {},
): Promise<Rig> {
  const emu = await startEmulator();
  const model = await startOpenAiServer({ script: options.script });
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-discord-'));
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: new Redactor(),
    destination: { write: (line: string) => void logs.push(line) },
  });
  const parsed = configSchema.parse({
    dataDir,
    logLevel: 'debug',
    models: { chat: `openai:test-model@${model.url}/v1`, retries: 0 },
    plugins: { firstParty: false, load: [TEST_PLUGIN] },
    knowledge: { ingestDocsOnStart: false },
    engine: options.engine,
    discord: { apiUrl: emu.apiUrl, editIntervalMs: 1000, ...options.discord },
  } satisfies ConfigInput);
  const config = { ...parsed, secrets: { discordToken: emu.token } };
  const hearth = await createHearth({ config, logger, importPlugin: (s) => import(s) });
  const bot = await startDiscord(hearth);
  return {
    emu,
    model,
    hearth,
    bot,
    logs,
    async close() {
      await bot.stop();
      await hearth.close();
      await model.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
