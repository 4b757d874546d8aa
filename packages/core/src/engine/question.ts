/**
 * What a message asks for, from its wording alone: small talk that needs no sources, or a
 * question whose type says which passages answer it (a command for "how do I", an environment
 * variable for "which variable", a number for "how many").
 */

/** The kinds of small talk answered without the knowledge base. */
export type SmallTalk = 'greeting' | 'thanks' | 'farewell' | 'wellbeing' | 'identity' | 'ack';

const SMALL_TALK: [SmallTalk, RegExp][] = [
  [
    'thanks',
    /^(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome|brilliant)[\s,!.]*)?(?:thanks?(?: a lot| so much| again)?|thank you(?: (?:so|very) much)?|thx|ty|cheers|much appreciated)\b/,
  ],
  ['farewell', /^(?:bye|goodbye|good ?night|see (?:you|ya)|later|cya|have a (?:good|nice) (?:day|one|evening))\b/],
  ['wellbeing', /^(?:how are you|how(?:'s| is) it going|how do you do|what'?s up|sup)\b/],
  [
    'identity',
    /^(?:who are you|what are you|what(?:'s| is) your name|what can you do|what do you do|are you (?:a )?(?:bot|human|ai))\b/,
  ],
  ['greeting', /^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hallo|hola)\b/],
  ['ack', /^(?:(?:ok(?:ay)?|k|cool|nice|great|got it|i see|alright|sure|perfect|awesome|lol|haha|good)[\s,.!]*)+$/],
];

/**
 * Classifies a short social message ("hi!", "thanks, that helped", "who are you?"); undefined for
 * anything that asks for information, so "hi, how do I start the MCP server?" is a question.
 */
export function smallTalk(message: string): SmallTalk | undefined {
  const text = message
    .toLowerCase()
    .replace(/[\u2019']/g, "'")
    .replace(/[^\p{L}\p{N}' ,.!?]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text || text.length > 60) return undefined;
  for (const [kind, pattern] of SMALL_TALK) {
    if (!pattern.test(text)) continue;
    // a greeting or thanks followed by a real question is a question ("hi, how do I ...")
    const rest = text.replace(pattern, '').replace(/^[\s,.!?]+/, '');
    if (
      kind !== 'identity' &&
      kind !== 'wellbeing' &&
      /\b(how|what|which|where|when|why|who|can|does|is|do)\b/.test(rest)
    )
      return undefined;
    if (rest.split(' ').filter(Boolean).length > 6) return undefined;
    return kind;
  }
  return undefined;
}

/** A short friendly reply to small talk; it quotes nothing and cites nothing. */
export function smallTalkReply(kind: SmallTalk): string {
  switch (kind) {
    case 'greeting':
      return 'Hello! Ask me anything about what is in the knowledge base, and I will answer with the sources I used.';
    case 'thanks':
      return 'You are welcome! Ask again any time.';
    case 'farewell':
      return 'Goodbye! Come back with any question.';
    case 'wellbeing':
      return 'All good here, thanks for asking. What would you like to know?';
    case 'identity':
      return 'I am Hearth, an assistant that answers from this community’s knowledge base and cites its sources. Ask me a question, or add documents with `hearth ingest <file>`.';
    case 'ack':
      return 'Glad that helped. Anything else?';
  }
}

/** What kind of passage answers a question. */
export interface QuestionType {
  /** "how do I", "how to", "command": a command or code block answers it. */
  command: boolean;
  /** "which variable", "env": a line with an UPPER_CASE identifier answers it. */
  variable: boolean;
  /** "default": a line that says "default". */
  default: boolean;
  /** "how many", "how much", "what year", "when": a number. */
  number: boolean;
  /** "who", "where", "which person": a proper name. */
  name: boolean;
}

/** The question's type, from its wording. */
export function questionType(question: string): QuestionType {
  const q = question.toLowerCase();
  return {
    command:
      /\bhow (?:do|can|should|would) (?:i|we|you)\b|\bhow to\b|\b(?:command|cli|run|install|start|launch|invoke|scaffold)\b/.test(
        q,
      ),
    variable: /\b(?:env(?:ironment)?(?: var(?:iable)?s?)?|variables?|env var)\b/.test(q),
    default: /\bdefaults?\b/.test(q),
    number:
      /\bhow (?:many|much|long|old|far|large|big)\b|\bwhat (?:year|percentage|number|size)\b|\bwhen\b|\bin what year\b/.test(
        q,
      ),
    name: /^(?:who|whom|whose|where)\b|\b(?:who|where)\b/.test(q),
  };
}
