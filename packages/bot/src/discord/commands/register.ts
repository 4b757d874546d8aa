import type { RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import type { SurfaceContext } from '../context.js';
import { contextMenuCommands } from './context-menu.js';
import { buildCommands, type CommandSet } from './definitions.js';
import { localizeCommands } from './localize.js';
import { describeRefusal, type RefusedField, refusedFields } from './registration-errors.js';

const DEBOUNCE_MS = 500;

/** How the last registration of one target (`global` or a guild id) went. */
export interface RegistrationResult {
  target: string;
  ok: boolean;
  /** Commands Discord accepted (0 on failure). */
  commands: number;
  /** On failure: one sentence naming the command and field refused. */
  error?: string;
  refused?: RefusedField[];
}

/**
 * Keeps Discord's slash commands in step with the registry: globally in production, per guild in
 * development (the dev guild, or every guild the bot is in), again whenever tools change. A
 * target whose command list has not changed is not re-sent.
 */
export class CommandRegistrar {
  private set: CommandSet;
  /** What is sent: the slash commands and the message commands, localised. */
  private payload: RESTPutAPIApplicationCommandsJSONBody = [];
  private readonly sent = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly results = new Map<string, RegistrationResult>();

  constructor(private readonly ctx: SurfaceContext) {
    this.set = this.build();
    this.unsubscribe = ctx.hearth.registry.onChange(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.set = this.build();
        void this.syncAll();
      }, DEBOUNCE_MS);
    });
  }

  /** The current commands and the tool behind each generated one. */
  get commands(): CommandSet {
    return this.set;
  }

  /** Registers everywhere this deployment registers (after login). */
  syncAll(): Promise<void> {
    const { settings, client } = this.ctx;
    // Global commands are the application's, not a shard's: only the process with shard 0 sends them.
    if (settings.production)
      return client.shard && !client.shard.ids.includes(0) ? Promise.resolve() : this.put('global');
    const guilds = settings.devGuildId ? [settings.devGuildId] : [...client.guilds.cache.keys()];
    return Promise.all(guilds.map((g) => this.put(g))).then(() => {});
  }

  /** Registers in a guild the bot just joined (development without a dev guild). */
  onGuildJoined(guildId: string): Promise<void> {
    const { settings } = this.ctx;
    if (settings.production || settings.devGuildId) return Promise.resolve();
    return this.put(guildId);
  }

  /** The last registration result of every target, for the ready line and `hearth doctor`. */
  get status(): RegistrationResult[] {
    return [...this.results.values()];
  }

  /** Waits for registrations in flight (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
  }

  private build(): CommandSet {
    const { settings, log } = this.ctx;
    const set = buildCommands(this.ctx.hearth.registry, settings);
    for (const s of set.skipped) log.warn({ tool: s.tool, reason: s.reason }, 'discord: tool has no slash command');
    const warn = (message: string) => log.warn(`discord: ${message}; translation left out`);
    this.payload = localizeCommands([...set.commands, ...contextMenuCommands(settings)], settings, warn);
    return set;
  }

  /** Every command sent to Discord: slash commands and message commands. */
  get registered(): RESTPutAPIApplicationCommandsJSONBody {
    return this.payload;
  }

  private put(target: string): Promise<void> {
    const run = async () => {
      const sent = this.payload;
      const body = JSON.stringify(sent);
      if (this.sent.get(target) === body) return;
      const application = this.ctx.client.application;
      if (!application) return;
      try {
        if (target === 'global') await application.commands.set(sent);
        else await application.commands.set(sent, target);
        this.sent.set(target, body);
        this.results.set(target, { target, ok: true, commands: sent.length });
        this.ctx.log.info({ target, commands: sent.length }, 'discord: commands registered');
      } catch (err) {
        const error = this.ctx.redact(describeRefusal(err, sent));
        this.results.set(target, { target, ok: false, commands: 0, error, refused: refusedFields(err, sent) });
        this.ctx.log.error({ target, err: error }, `discord: command registration failed: ${error}`);
      }
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }
}
