import { type APIActionRowComponent, type APIButtonComponent, ButtonStyle, ComponentType } from 'discord.js';

/** custom_id prefix of Hearth's answer buttons; the message they sit on identifies the answer. */
export const BUTTON_PREFIX = 'hearth:';

/** What each answer button does. */
export const BUTTONS = {
  regenerate: `${BUTTON_PREFIX}regen`,
  sources: `${BUTTON_PREFIX}sources`,
  up: `${BUTTON_PREFIX}up`,
  down: `${BUTTON_PREFIX}down`,
} as const;

/** The row under an answer: regenerate, show sources (when it cites any), 👍, 👎. */
export function answerButtons(hasSources: boolean): APIActionRowComponent<APIButtonComponent>[] {
  const button = (custom_id: string, label: string): APIButtonComponent => ({
    type: ComponentType.Button,
    custom_id,
    label,
    style: ButtonStyle.Secondary,
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(BUTTONS.regenerate, '🔄 Regenerate'),
        ...(hasSources ? [button(BUTTONS.sources, '📚 Sources')] : []),
        button(BUTTONS.up, '👍'),
        button(BUTTONS.down, '👎'),
      ],
    },
  ];
}
