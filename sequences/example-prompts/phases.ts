import type { PhaseContext } from '#station/engine/sdk.ts';

export async function load_board(ctx: PhaseContext): Promise<void> {
  ctx.progress(null, 'Waiting for the operator to load the board');
  await ctx.prompt('insert');
}

export async function visual_checks(ctx: PhaseContext): Promise<void> {
  await ctx.prompt('led'); // recorded as led_green by the prompt's `measurement`
  ctx.measure('buzzer', await ctx.prompt({ kind: 'pass-fail', message: 'Did the buzzer sound twice?' }));
}

export async function readings(ctx: PhaseContext): Promise<void> {
  ctx.measure('label', String(await ctx.prompt('label')));
  ctx.progress(0.5, 'Label read; now the scope');
  await ctx.prompt('ripple'); // recorded as ripple_mv
  ctx.measure('colour', String(await ctx.prompt('colour')));
  const acc = await ctx.prompt({ kind: 'multi-choice', message: 'Which accessories are in the box?', options: ['cable', 'manual', 'antenna'] });
  ctx.measure('accessories', acc.join(','));
}

/** A prompt with a timeout: nobody answers, so the phase catches it and moves on. */
export async function quick_question(ctx: PhaseContext): Promise<void> {
  try {
    await ctx.prompt({ kind: 'yes-no', message: 'Optional: is the box dented? (skipped after 2 s)', timeoutMs: 2000 });
  } catch {
    ctx.log.info('no answer; not a problem for this question');
  }
}
