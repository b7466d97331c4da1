import { z } from 'zod';

export const PromptKindSchema = z.enum(['confirm', 'yes-no', 'pass-fail', 'text']);
export type PromptKind = z.infer<typeof PromptKindSchema>;

export const PromptSchema = z.object({
  id: z.string(),
  kind: PromptKindSchema,
  message: z.string(),
  /** For text prompts: a regular expression the answer must match. */
  pattern: z.string().optional(),
  phase: z.string(),
});
export type Prompt = z.infer<typeof PromptSchema>;

export const PromptAnswerSchema = z.union([z.boolean(), z.string()]);
export type PromptAnswer = z.infer<typeof PromptAnswerSchema>;
