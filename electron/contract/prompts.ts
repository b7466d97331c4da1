import { z } from 'zod';
import { LanguageTagSchema } from './locales.ts';
import { message, type MessageKey, type MessageParams } from './message-text.ts';

/** A text in one language, or in several: `{en: Is the LED green?, de: Leuchtet die LED grün?}`. */
export const LocalizedTextSchema = z.union([
  z.string().min(1),
  z.record(LanguageTagSchema, z.string().min(1)).refine((m) => Object.keys(m).length > 0, { message: 'give the text in at least one language' }),
]);

export const PromptKindSchema = z.enum(['confirm', 'yes-no', 'pass-fail', 'text', 'number', 'choice', 'multi-choice']);
export type PromptKind = z.infer<typeof PromptKindSchema>;

/** What a phase (or the procedure file) asks; the same fields in both places. */
export const PromptSpecSchema = z
  .object({
    kind: PromptKindSchema.default('confirm'),
    /** The question; in several languages as `{en: …, de: …}`. */
    message: LocalizedTextSchema,
    /** text: a regular expression the answer must match, and length bounds. */
    pattern: z.string().optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().optional(),
    /** number: range and units. */
    min: z.number().optional(),
    max: z.number().optional(),
    units: z.string().optional(),
    /** choice / multi-choice. The answer recorded is an option's text in the procedure's language. */
    options: z.array(LocalizedTextSchema).min(1).optional(),
    /** An image shown with the question: a file in the procedure folder (png, jpg, svg). */
    image: z.string().optional(),
    /** Give up after this long: the phase ends ERROR unless it catches the timeout. */
    timeoutMs: z.number().int().positive().optional(),
    /** Record the answer as this declared measurement, validated like any other. */
    measurement: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.kind === 'choice' || p.kind === 'multi-choice') && !p.options)
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${p.kind} prompt needs options` });
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'min must not be above max' });
    if (p.pattern !== undefined) {
      try {
        new RegExp(p.pattern);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  });
export type PromptSpec = z.input<typeof PromptSpecSchema>;

export const PromptSchema = z.object({
  id: z.string(),
  /** The prompt's key under prompts: in procedure.yaml, when it came from there. */
  key: z.string().optional(),
  kind: PromptKindSchema,
  message: z.string(),
  pattern: z.string().optional(),
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  units: z.string().optional(),
  options: z.array(z.string()).optional(),
  /**
   * The question and options in other languages, when procedure.yaml gives them: a screen shows
   * its language's; `message` and `options` are the procedure's own (the answer is one of those).
   */
  translations: z.record(z.string(), z.object({ message: z.string().optional(), options: z.array(z.string()).optional() })).optional(),
  /** A data: URL, so the renderer needs no file access. */
  image: z.string().optional(),
  /** When the prompt gives up (ISO time), if it has a timeout. */
  expiresAt: z.string().optional(),
  phase: z.string(),
});
export type Prompt = z.infer<typeof PromptSchema>;

export const PromptAnswerSchema = z.union([z.boolean(), z.string(), z.number(), z.array(z.string())]);
export type PromptAnswer = z.infer<typeof PromptAnswerSchema>;

/** What is wrong with an answer, as a station message (key and parameters), or null. */
export function answerProblem(p: Prompt, answer: PromptAnswer): { key: MessageKey; params: MessageParams } | null {
  const no = (key: MessageKey, params: MessageParams = {}) => ({ key, params });
  switch (p.kind) {
    case 'confirm':
      return answer === true ? null : no('answerConfirm');
    case 'yes-no':
      return typeof answer === 'boolean' ? null : no('answerYesNo');
    case 'pass-fail':
      return typeof answer === 'boolean' ? null : no('answerPassFail');
    case 'text': {
      if (typeof answer !== 'string' || answer.trim() === '') return no('answerType');
      if (p.minLength !== undefined && answer.length < p.minLength) return no('answerMinLength', { count: p.minLength });
      if (p.maxLength !== undefined && answer.length > p.maxLength) return no('answerMaxLength', { count: p.maxLength });
      if (p.pattern !== undefined && !new RegExp(p.pattern).test(answer)) return no('answerPattern', { answer });
      return null;
    }
    case 'number': {
      if (typeof answer !== 'number' || !Number.isFinite(answer)) return no('answerNumber');
      const units = p.units ?? null;
      if (p.min !== undefined && answer < p.min) return units ? no('answerMinUnits', { min: p.min, units }) : no('answerMin', { min: p.min });
      if (p.max !== undefined && answer > p.max) return units ? no('answerMaxUnits', { max: p.max, units }) : no('answerMax', { max: p.max });
      return null;
    }
    case 'choice':
      return typeof answer === 'string' && (p.options ?? []).includes(answer) ? null : no('answerChoice', { options: (p.options ?? []).join(', ') });
    case 'multi-choice':
      return Array.isArray(answer) && answer.every((a) => (p.options ?? []).includes(a))
        ? null
        : no('answerMultiChoice', { options: (p.options ?? []).join(', ') });
  }
}

/** Checks an answer against its prompt; returns the problem in words, or null. */
export function checkAnswer(p: Prompt, answer: PromptAnswer): string | null {
  const problem = answerProblem(p, answer);
  return problem ? message(problem.key, problem.params) : null;
}
