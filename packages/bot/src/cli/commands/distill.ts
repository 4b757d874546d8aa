import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildGroundedTranscripts,
  distillLogits,
  distillSequences,
  encodeTranscript,
  exampleBatches,
  loadModelSource,
  PRESETS,
  type PresetName,
  readTranscripts,
  type StudentSpec,
  type Transcript,
} from '@hearth/core/local-models';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { int, num, trainingUi } from './train.js';

/** `--student`: a preset name, or JSON dims such as '{"dim":64,"layers":2,"heads":2,"ffnDim":128}'. */
function student(value: string): StudentSpec {
  if (value in PRESETS) return value as PresetName;
  try {
    return JSON.parse(value) as StudentSpec;
  } catch {
    throw new Error(`--student must be one of ${Object.keys(PRESETS).join(', ')} or JSON dims, not "${value}"`);
  }
}

/** A teacher the student can read logits from: a model folder or a llama GGUF on disk (optionally gguf:/local: prefixed). */
function localTeacherPath(ref: string): string | undefined {
  const path = resolve(ref.replace(/^(gguf|local):/, ''));
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory() || path.endsWith('.gguf')) {
    try {
      loadModelSource(path);
      return path;
    } catch {
      return undefined; // not our architecture/tokenizer: fall back to sequence-level
    }
  }
  return undefined;
}

interface DistillFlags {
  teacher: string;
  student: StudentSpec;
  data?: string;
  base?: string;
  out?: string;
  steps: number;
  batch: number;
  temperature: number;
  alpha: number;
  seed: number;
}

/**
 * `hearth distill --teacher <ref> --student <config>`: logit-level distillation (KL at a temperature
 * plus hard labels) when the teacher's weights are local; otherwise sequence-level, training the
 * student on the teacher's answers (any provider: hf:, openai:, gguf:).
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('distill')
    .description('distill a teacher model into a smaller local student')
    .requiredOption(
      '--teacher <ref>',
      'model folder / GGUF path (logit-level) or a provider ref like hf:org/model (sequence-level)',
    )
    .requiredOption('--student <config>', `student size: ${Object.keys(PRESETS).join(', ')} or JSON dims`, student)
    .option('--data <chats.jsonl>', 'training transcripts or prompts (default: built-in grounded Hearth Q&A)')
    .option('--base <model>', 'sequence-level: the student model to start from (default: the local model)')
    .option('--out <dir>', 'student model folder')
    .option('--steps <N>', 'training steps', int('--steps'), 200)
    .option('--batch <N>', 'sequences per step', int('--batch'), 8)
    .option('--temperature <T>', 'softmax temperature of the KL term', num('--temperature'), 2)
    .option('--alpha <X>', 'weight of the KL term (rest: hard labels)', num('--alpha'), 0.5)
    .option('--seed <N>', 'random seed', int('--seed', 0), 1)
    .action(async (flags: DistillFlags) => {
      const { dataDir } = await ctx.config();
      const out = resolve(flags.out ?? join(dataDir, 'models', 'student'));
      const transcripts: Transcript[] = flags.data
        ? readTranscripts(resolve(flags.data))
        : buildGroundedTranscripts(400, flags.seed);
      const ui = trainingUi(ctx, 'distill');
      const teacherPath = localTeacherPath(flags.teacher);
      if (teacherPath) {
        const teacher = loadModelSource(teacherPath);
        const data = exampleBatches(
          transcripts.map((t) => encodeTranscript(teacher.tokenizer, t)),
          flags.batch,
          teacher.config.contextLength,
          flags.seed,
          teacher.tokenizer.eos,
        );
        const r = await distillLogits({
          teacherDir: teacherPath,
          student: flags.student,
          data,
          outDir: out,
          steps: flags.steps,
          temperature: flags.temperature,
          alpha: flags.alpha,
          seed: flags.seed,
          ...ui,
        });
        ui.done(
          `student ${r.report.studentParameters} params, top-1 agreement ${(r.report.top1Agreement * 100).toFixed(1)}%`,
        );
        ctx.printJson({ mode: 'logit', out, ...r.report, valLoss: r.valLoss });
        return;
      }
      const hearth = await ctx.hearth({ skipPlugins: true });
      const teacher = await hearth.models.chat(flags.teacher);
      const prompts = transcripts.map((t) => t.messages.filter((m) => m.role !== 'assistant'));
      const base = flags.base ? resolve(flags.base) : join(dataDir, 'models', 'hearth-local.gguf');
      const { SHIPPED_MODEL_PATH } = await import('@hearth/core/providers/gguf');
      const r = await distillSequences({
        teacher,
        prompts,
        studentDir: existsSync(base) ? base : SHIPPED_MODEL_PATH,
        outDir: out,
        steps: flags.steps,
        batchSize: flags.batch,
        seed: flags.seed,
        ...ui,
      });
      ui.done(`trained on ${r.transcripts.length} teacher answers`);
      ctx.printJson({ mode: 'sequence', teacher: teacher.ref, out, answers: r.transcripts.length, valLoss: r.valLoss });
    });
}
