import type { Caller } from '@hearth/sdk';
import {
  type BaseInteraction,
  type GuildMember,
  type Interaction,
  type Message,
  PermissionFlagsBits,
  type PermissionsBitField,
} from 'discord.js';
import type { DiscordSettings } from './settings.js';

/**
 * Why the bot will not act on a command here, as the reply says it, or undefined when it will:
 * it is shutting down, the channel is not enabled, or DMs are turned off. Shared by every command kind.
 */
export function interactionRefusal(
  accepting: boolean,
  settings: DiscordSettings,
  interaction: Pick<BaseInteraction, 'guildId' | 'channelId' | 'channel'>,
): string | undefined {
  if (!accepting) return 'Hearth is restarting; please try again in a moment.';
  const channel = interaction.channel;
  const parentId = channel?.isThread() ? channel.parentId : null;
  if (channelAllowed(settings, { guildId: interaction.guildId, channelId: interaction.channelId ?? '', parentId }))
    return undefined;
  return interaction.guildId ? "I'm not enabled in this channel." : 'Direct messages are turned off for this bot.';
}

/** Whether the bot may act in this channel: DMs by setting, guild channels by the allow and deny lists. */
export function channelAllowed(
  settings: DiscordSettings,
  where: { guildId: string | null; channelId: string; parentId?: string | null },
): boolean {
  if (!where.guildId) return settings.allowDMs;
  const ids = [where.channelId, where.parentId].filter((x): x is string => Boolean(x));
  if (ids.some((id) => settings.channels.deny.includes(id))) return false;
  return settings.channels.allow.length === 0 || ids.some((id) => settings.channels.allow.includes(id));
}

/** Admin: Manage Guild permission, or a role whose id or name is configured in `adminRoles`. */
export function isAdmin(
  settings: DiscordSettings,
  permissions: Readonly<PermissionsBitField> | null | undefined,
  roles: { id: string; name?: string }[],
): boolean {
  if (permissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  if (!settings.adminRoles.length) return false;
  return roles.some(
    (r) => settings.adminRoles.includes(r.id) || (r.name !== undefined && settings.adminRoles.includes(r.name)),
  );
}

function memberRoles(member: GuildMember | null | undefined, rawRoleIds: string[]): { id: string; name?: string }[] {
  if (member?.roles?.cache?.size) return member.roles.cache.map((r) => ({ id: r.id, name: r.name }));
  return rawRoleIds.map((id) => ({ id }));
}

/** The caller of a message: user, guild, channel, roles and admin status. */
export function callerFromMessage(settings: DiscordSettings, message: Message): Caller {
  const member = message.member;
  const roles = memberRoles(member, []);
  let permissions: Readonly<PermissionsBitField> | null = null;
  try {
    permissions = member?.permissions ?? null;
  } catch {
    permissions = null; // uncached guild roles: fall back to configured roles
  }
  return {
    surface: 'discord',
    userId: message.author.id,
    displayName: member?.displayName ?? message.author.username,
    guildId: message.guildId ?? undefined,
    channelId: message.channelId,
    roles: roles.map((r) => r.id),
    isAdmin: message.guildId ? isAdmin(settings, permissions, roles) : false,
  };
}

/** The caller of an interaction; the interaction carries the member's computed permissions. */
export function callerFromInteraction(settings: DiscordSettings, interaction: Interaction): Caller {
  const member = interaction.member;
  const rawRoles = member && !('cache' in (member.roles as object)) ? (member.roles as string[]) : [];
  const roles = memberRoles(member && 'displayName' in member ? (member as GuildMember) : null, rawRoles);
  return {
    surface: 'discord',
    userId: interaction.user.id,
    displayName: interaction.user.globalName ?? interaction.user.username,
    guildId: interaction.guildId ?? undefined,
    channelId: interaction.channelId ?? undefined,
    roles: roles.map((r) => r.id),
    isAdmin: interaction.guildId ? isAdmin(settings, interaction.memberPermissions, roles) : false,
  };
}
