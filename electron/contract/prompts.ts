import { z } from 'zod';

export const PromptKindSchema = z.enum(['confirm', 'yes-no', 'pass-fail', 'text', 'number', 'choice', 'multi-choice']);
export type PromptKind = z.infer<typeof PromptKindSchema>;

/** What a phase (or the procedure file) asks; the same fields in both places. */
export const PromptSpecSchema = z
  .object({
    kind: PromptKindSchema.default('confirm'),
    message: z.string().min(1),
    /** text: a regular expression the answer must match, and length bounds. */
    pattern: z.string().optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().optional(),
    /** number: range and units. */
    min: z.number().optional(),
    max: z.number().optional(),
    units: z.string().optional(),
    /** choice / multi-choice. */
    options: z.array(z.string().min(1)).min(1).optional(),
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
  /** A data: URL, so the renderer needs no file access. */
  image: z.string().optional(),
  /** When the prompt gives up (ISO time), if it has a timeout. */
  expiresAt: z.string().optional(),
  phase: z.string(),
});
export type Prompt = z.infer<typeof PromptSchema>;

export const PromptAnswerSchema = z.union([z.boolean(), z.string(), z.number(), z.array(z.string())]);
export type PromptAnswer = z.infer<typeof PromptAnswerSchema>;

/** Checks an answer against its prompt; returns the problem in words, or null. */
export function checkAnswer(p: Prompt, answer: PromptAnswer): string | null {
  switch (p.kind) {
    case 'confirm':
      return answer === true ? null : 'this question is confirmed with OK';
    case 'yes-no':
      return typeof answer === 'boolean' ? null : 'this question takes Yes or No';
    case 'pass-fail':
      return typeof answer === 'boolean' ? null : 'this question takes Pass or Fail';
    case 'text': {
      if (typeof answer !== 'string' || answer.trim() === '') return 'type an answer';
      if (p.minLength !== undefined && answer.length < p.minLength) return `at least ${p.minLength} characters`;
      if (p.maxLength !== undefined && answer.length > p.maxLength) return `at most ${p.maxLength} characters`;
      if (p.pattern !== undefined && !new RegExp(p.pattern).test(answer)) return `"${answer}" does not have the expected form`;
      return null;
    }
    case 'number': {
      if (typeof answer !== 'number' || !Number.isFinite(answer)) return 'enter a number';
      const u = p.units ? ` ${p.units}` : '';
      if (p.min !== undefined && answer < p.min) return `at least ${p.min}${u}`;
      if (p.max !== undefined && answer > p.max) return `at most ${p.max}${u}`;
      return null;
    }
    case 'choice':
      return typeof answer === 'string' && (p.options ?? []).includes(answer) ? null : `choose one of ${(p.options ?? []).join(', ')}`;
    case 'multi-choice':
      return Array.isArray(answer) && answer.every((a) => (p.options ?? []).includes(a)) ? null : `choose from ${(p.options ?? []).join(', ')}`;
  }
}
