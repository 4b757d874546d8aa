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
  /** Stops the bot and Hearth, then starts both again on the same data folder (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startRig}. */
export interface RigOptions {
  script?: Script;
  discord?: ConfigInput['discord'];
  engine?: ConfigInput['engine'];
  /** Chat model reference; default the scripted server as `openai:test-model@<url>/v1`. */
  chat?: (modelUrl: string) => string;
  /** Extra `models` settings (e.g. `{ vision: true }`). */
  models?: Record<string, unknown>;
}

/** A real Hearth on `dataDir` talking to the emulator and the model server, logging into `logs`. */
export async function rigHearth(
  emu: Emulator,
  model: OpenAiServer,
  dataDir: string,
  logs: string[],
  options: RigOptions = {},
): Promise<Hearth> {
  const logger = createLogger({
    level: 'debug',
    redactor: new Redactor(),
    destination: { write: (line: string) => void logs.push(line) },
  });
  const parsed = configSchema.parse({
    dataDir,
    logLevel: 'debug',
    models: { chat: options.chat?.(model.url) ?? `openai:test-model@${model.url}/v1`, retries: 0, ...options.models },
    plugins: { firstParty: false, load: [TEST_PLUGIN] },
    knowledge: { ingestDocsOnStart: false },
    engine: options.engine,
    discord: { apiUrl: emu.apiUrl, editIntervalMs: 1000, ...options.discord },
  } satisfies ConfigInput);
  const config = { ...parsed, secrets: { discordToken: emu.token } };
  return createHearth({ config, logger, importPlugin: (s) => import(s) });
}

/**
 * Starts the Discord emulator, a scripted OpenAI-compatible chat server and a real Hearth
 * (temp data folder, the test plugin loaded), then the Discord surface against the emulator.
 */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const emu = await startEmulator();
  const model = await startOpenAiServer({ script: options.script });
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-discord-'));
  const logs: string[] = [];
  let hearth = await rigHearth(emu, model, dataDir, logs, options);
  let bot = await startDiscord(hearth);
  return {
    emu,
    model,
    get hearth() {
      return hearth;
    },
    get bot() {
      return bot;
    },
    logs,
    async restart() {
      await bot.stop();
      await hearth.close();
      hearth = await rigHearth(emu, model, dataDir, logs, options);
      bot = await startDiscord(hearth);
    },
    async close() {
      await bot.stop();
      await hearth.close();
      await model.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
