import type { PhaseContext } from '#station/engine/sdk.ts';

export function connect_fixture(ctx: PhaseContext): void {
  ctx.log.info('fixture clamped');
}

/** Fails on the first attempt, passes on the second: the record keeps both attempts. */
export function flaky_contact(ctx: PhaseContext): void {
  ctx.measure('contact_ohms', ctx.phase.attempt === 1 ? 7.5 : 0.2);
}

/** Ignores time: the phase timeout ends it as ERROR (cause timeout) and the run goes on. */
export async function slow_sensor(ctx: PhaseContext): Promise<void> {
  await ctx.sleep(10_000);
}

export function only_if_contact(ctx: PhaseContext): void {
  ctx.log.info('contact was good, so this ran');
}

export function only_for_variant_b(ctx: PhaseContext): void {
  ctx.log.info(`variant ${String(ctx.params.variant)}`);
}

export function disconnect_fixture(ctx: PhaseContext): void {
  ctx.log.info('fixture released');
}
