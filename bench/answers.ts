/**
 * Offline answer benchmark (`corepack pnpm bench answers`): the answer a user sees with no chat
 * model configured (the local model's drafts are replaced by this same passage when they fail the check).
 * 1. SQuAD 2.0 (../shared/data/squad2/dev-5-articles.json): the 173 paragraphs indexed into a real
 *    knowledge store; for each answerable question, does the shown answer contain a gold answer
 *    and cite the right paragraph? With one article left out of the index, are its questions
 *    declined as not covered? Tuned on articles 1-2 (Normans, Computational complexity theory),
 *    reported on articles 3-5 (Southern California, Sky (United Kingdom), Victoria (Australia)).
 *    HEARTH_BENCH_ANSWERS_TUNE=1 prints the not-covered threshold sweep on the tuning articles.
 * 2. The docs QA set (bench/data/docs-qa.json) on README.md + docs/*.md.
 * Figures: docs/benchmarks/answers.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Passage } from '../packages/core/src/engine/extractive.js';
import {
  askedTerms,
  bestPassage,
  covers,
  MIN_COVERAGE,
  MIN_MATCHED_SHARE,
  MISSING_NAME_COST,
  NOT_COVERED_TEXT,
} from '../packages/core/src/engine/index.js';
import { relevantSources } from '../packages/core/src/engine/sources.js';
import { answerPath, REPO_ROOT, runDocsQa } from '../packages/core/test/engine/answer-path.js';

const SQUAD = join(REPO_ROOT, '../shared/data/squad2/dev-5-articles.json');
const TUNE = [0, 1];
const REPORT = [2, 3, 4];

interface Question {
  q: string;
  answers: string[];
  impossible: boolean;
  article: number;
  paragraph: number;
}
interface Article {
  title: string;
  paragraphs: string[];
  questions: Question[];
}

function loadSquad(): Article[] {
  const raw = JSON.parse(readFileSync(SQUAD, 'utf8')) as {
    data: {
      title: string;
      paragraphs: {
        context: string;
        qas: { question: string; answers: { text: string }[]; is_impossible: boolean }[];
      }[];
    }[];
  };
  return raw.data.map((a, article) => ({
    title: a.title.replace(/_/g, ' '),
    paragraphs: a.paragraphs.map((p) => p.context),
    questions: a.paragraphs.flatMap((p, paragraph) =>
      p.qas.map((qa) => ({
        q: qa.question,
        answers: qa.answers.map((x) => x.text),
        impossible: qa.is_impossible,
        article,
        paragraph,
      })),
    ),
  }));
}

/** A store with every article except `leaveOut`, each paragraph one file `a<article>-p<paragraph>.txt`. */
async function squadPath(articles: Article[], leaveOut?: number) {
  const path = await answerPath();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-squad-'));
  try {
    articles.forEach((a, ai) => {
      if (ai === leaveOut) return;
      const folder = join(dir, a.title.replace(/[^\w]+/g, '-'));
      mkdirSync(folder, { recursive: true });
      a.paragraphs.forEach((p, pi) => writeFileSync(join(folder, `a${ai}-p${pi}.txt`), p));
    });
    await path.knowledge.ingest([dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return path;
}

function citedParagraph(uri: string): { article: number; paragraph: number } | undefined {
  const m = /a(\d+)-p(\d+)\.txt$/.exec(basename(uri));
  return m ? { article: Number(m[1]), paragraph: Number(m[2]) } : undefined;
}

interface Tally {
  asked: number;
  contains: number;
  containsAndCited: number;
  declined: number;
  chars: number[];
}
const tally = (): Tally => ({ asked: 0, contains: 0, containsAndCited: 0, declined: 0, chars: [] });

async function askSquad(path: Awaited<ReturnType<typeof answerPath>>, questions: Question[]): Promise<Tally> {
  const t = tally();
  for (const q of questions) {
    const r = await path.ask(q.q);
    t.asked++;
    if (r.notCovered) {
      t.declined++;
      continue;
    }
    t.chars.push(r.text.length);
    const contains = q.answers.some((a) => r.text.includes(a));
    const cited = r.citations[0] ? citedParagraph(r.citations[0].uri) : undefined;
    if (contains) t.contains++;
    if (contains && cited?.article === q.article && cited.paragraph === q.paragraph) t.containsAndCited++;
  }
  return t;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : 'n/a');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Threshold sweep on the tuning articles: answerable (indexed) questions kept vs left-out questions declined. */
async function tune(articles: Article[]): Promise<string[]> {
  const answerable: { passage?: Passage; asked: number; contains: boolean }[] = [];
  const leftOut: { passage?: Passage; asked: number }[] = [];
  for (const leave of TUNE) {
    const other = TUNE.find((x) => x !== leave) as number;
    const path = await squadPath(articles, leave);
    try {
      const probe = async (q: Question) => {
        const hits = await path.knowledge.search(q.q, { k: 8 });
        return bestPassage(q.q, relevantSources(q.q, hits));
      };
      for (const q of articles[leave]?.questions.filter((x) => !x.impossible) ?? [])
        leftOut.push({ passage: await probe(q), asked: askedTerms(q.q) });
      for (const q of articles[other]?.questions.filter((x) => !x.impossible) ?? []) {
        const passage = await probe(q);
        answerable.push({
          passage,
          asked: askedTerms(q.q),
          contains: !!passage && q.answers.some((a) => passage.text.includes(a)),
        });
      }
    } finally {
      await path.close();
    }
  }
  const lines = [
    '',
    `Each tuning article left out in turn; "answerable" are the other tuning article's questions on the same index. A question is declined when fewer than 2 (and under ${MIN_MATCHED_SHARE * 100} %) of its terms match (3+ terms), or when its coverage, less ${MISSING_NAME_COST} per name of the question no retrieved source mentions, is under the threshold (used: ${MIN_COVERAGE}).`,
    '',
    '| min coverage | answerable: shown and containing gold | left out: declined |',
    '| --- | --- | --- |',
  ];
  for (const th of [0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]) {
    const kept = (r: { passage?: Passage; asked: number }) => !!r.passage && covers(r.passage, r.asked, th);
    const ok = answerable.filter((r) => kept(r) && r.contains).length;
    const declined = leftOut.filter((r) => !kept(r)).length;
    lines.push(`| ${th} | ${pct(ok, answerable.length)} | ${pct(declined, leftOut.length)} |`);
  }
  return lines;
}

async function squadSection(): Promise<string[]> {
  if (!existsSync(SQUAD)) return ['', `SQuAD 2.0 part skipped: ${SQUAD} is missing (see ../shared/data/README.md).`];
  const articles = loadSquad();
  const out: string[] = [''];
  if (process.env.HEARTH_BENCH_ANSWERS_TUNE)
    out.push('### Not-covered threshold sweep (tuning articles 1-2)', ...(await tune(articles)), '');
  if (process.env.HEARTH_BENCH_ANSWERS_TUNE === 'only') return out;
  const all = await squadPath(articles);
  const byArticle: Tally[] = [];
  const impossible = tally();
  try {
    for (const [ai, a] of articles.entries()) {
      byArticle[ai] = await askSquad(
        all,
        a.questions.filter((q) => !q.impossible),
      );
      if (REPORT.includes(ai)) {
        const t = await askSquad(
          all,
          a.questions.filter((q) => q.impossible),
        );
        impossible.asked += t.asked;
        impossible.declined += t.declined;
      }
    }
  } finally {
    await all.close();
  }
  const leftOut: { title: string; declined: Tally; answerable: Tally }[] = [];
  for (const leave of REPORT) {
    const path = await squadPath(articles, leave);
    try {
      const declined = await askSquad(path, articles[leave]?.questions.filter((q) => !q.impossible) ?? []);
      const answerable = tally();
      for (const ai of REPORT.filter((x) => x !== leave)) {
        const t = await askSquad(path, articles[ai]?.questions.filter((q) => !q.impossible) ?? []);
        for (const k of ['asked', 'contains', 'containsAndCited', 'declined'] as const) answerable[k] += t[k];
        answerable.chars.push(...t.chars);
      }
      leftOut.push({ title: articles[leave]?.title ?? '', declined, answerable });
    } finally {
      await path.close();
    }
  }
  const sum = (idx: number[]) => {
    const t = tally();
    for (const i of idx) {
      const a = byArticle[i] as Tally;
      for (const k of ['asked', 'contains', 'containsAndCited', 'declined'] as const) t[k] += a[k];
      t.chars.push(...a.chars);
    }
    return t;
  };
  const row = (name: string, t: Tally) =>
    `| ${name} | ${t.asked} | ${pct(t.contains, t.asked)} | ${pct(t.containsAndCited, t.asked)} | ${pct(t.declined, t.asked)} | ${median(t.chars)} | ${Math.max(0, ...t.chars)} |`;
  out.push(
    '### SQuAD 2.0, 5 dev articles, 173 paragraphs indexed',
    '',
    'Answerable questions: share whose shown answer contains a gold answer text, and also cites the gold paragraph first. Tuned on articles 1-2, reported on 3-5.',
    '',
    '| articles | questions | contains gold | contains gold + right citation | declined | median chars | max chars |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...articles.map((a, i) => row(`${i + 1}. ${a.title}${TUNE.includes(i) ? ' (tuning)' : ''}`, byArticle[i] as Tally)),
    row('**report (3-5)**', sum(REPORT)),
    row('all 705', sum([0, 1, 2, 3, 4])),
    '',
    "Leave one article out of the index and ask its answerable questions (must be declined); the other report articles' answerable questions on the same index:",
    '',
    '| left out | its questions declined | other report articles: contains gold + right citation | declined wrongly |',
    '| --- | --- | --- | --- |',
    ...leftOut.map(
      (l) =>
        `| ${l.title} | ${pct(l.declined.declined, l.declined.asked)} (${l.declined.declined}/${l.declined.asked}) | ${pct(l.answerable.containsAndCited, l.answerable.asked)} | ${pct(l.answerable.declined, l.answerable.asked)} |`,
    ),
    pooledLeftOut(leftOut),
    '',
    `Stretch: adversarial \`is_impossible\` questions of articles 3-5 (close to a paragraph that does not answer them), all articles indexed: ${pct(impossible.declined, impossible.asked)} declined (${impossible.declined}/${impossible.asked}).`,
  );
  return out;
}

function pooledLeftOut(rows: { declined: Tally; answerable: Tally }[]): string {
  const sum = (f: (r: { declined: Tally; answerable: Tally }) => number) => rows.reduce((s, r) => s + f(r), 0);
  const declined = sum((r) => r.declined.declined);
  const asked = sum((r) => r.declined.asked);
  return `| **pooled** | ${pct(declined, asked)} (${declined}/${asked}) | ${pct(
    sum((r) => r.answerable.containsAndCited),
    sum((r) => r.answerable.asked),
  )} | ${pct(
    sum((r) => r.answerable.declined),
    sum((r) => r.answerable.asked),
  )} |`;
}

async function docsSection(): Promise<string[]> {
  const out = ['', '### Docs QA (bench/data/docs-qa.json) on README.md + docs/*.md'];
  for (const chat of [undefined, 'local'] as const) {
    const started = performance.now();
    const r = await runDocsQa({ chat });
    out.push(
      '',
      chat
        ? `With the shipped local model (\`HEARTH_CHAT_MODEL\` unset: \`local\`), its drafts checked first: ${r.draftsShown} drafts passed and were shown. ${((performance.now() - started) / 1000).toFixed(0)} s.`
        : `No chat model (extractive). ${((performance.now() - started) / 1000).toFixed(0)} s.`,
      '',
      `- questions answered with their fact: ${r.answered}/${r.total} (${pct(r.answered, r.total)}); goal >= 90 %`,
      `- small talk answered without sources: ${r.smallTalkOk}/${r.smallTalkTotal}`,
      `- off-topic declined: ${r.declined}/${r.offTopicTotal}`,
      ...r.misses.map(
        (m) =>
          `- missed: "${m.q}" (wants \`${JSON.stringify(m.fact)}\`): ${m.answer.replace(/\s+/g, ' ').slice(0, 160)}`,
      ),
      ...r.wrongly.map((w) => `- wrong: ${w.replace(/\s+/g, ' ').slice(0, 200)}`),
    );
  }
  return out;
}

export async function run(): Promise<string> {
  const started = performance.now();
  const docs = await docsSection();
  const squad = await squadSection();
  return [
    '## answers',
    '',
    `The answer shown with no chat model configured (extractive passage, not-covered reply \`${NOT_COVERED_TEXT.slice(0, 40)}…\`). ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    ...docs,
    ...squad,
    '',
  ].join('\n');
}
