/**
 * Phases of the demo procedure. Limits live in procedure.yaml; the code measures.
 * Each phase is an async function of its context: see docs/sequences.md.
 */
import type { Dmm, PhaseContext, PowerSupply } from '#station/engine/sdk.ts';

type Ctx = PhaseContext<{ psu: PowerSupply; dmm: Dmm }>;

/** A short pause so an operator can follow the run; real phases wait on instruments instead. */
const SETTLE_MS = 250;

export async function fixture_check(ctx: Ctx): Promise<void> {
  ctx.log.info(`testing ${ctx.unit.serialNumber}`);
  const idn = await ctx.instruments.dmm.identify(ctx.signal);
  ctx.measure('dmm_model', idn.model);
  ctx.measure('fixture_closed', true);
  await ctx.sleep(SETTLE_MS);
}

export async function power_on(ctx: Ctx): Promise<void> {
  const { psu } = ctx.instruments;
  await psu.setVoltage(12);
  await psu.setCurrentLimit(0.5);
  await psu.output(true);
  await ctx.sleep(SETTLE_MS);
  ctx.measure('input_current', await psu.measureCurrent(ctx.signal));
}

export async function rail_3v3(ctx: Ctx): Promise<void> {
  await ctx.sleep(SETTLE_MS);
  ctx.measure('v_3v3', await ctx.instruments.dmm.measureDcVoltage(1, ctx.signal));
}

export async function rail_5v0(ctx: Ctx): Promise<void> {
  await ctx.sleep(SETTLE_MS);
  ctx.measure('v_5v0', await ctx.instruments.dmm.measureDcVoltage(2, ctx.signal));
}

export async function led_check(ctx: Ctx): Promise<void> {
  const green = await ctx.prompt({ kind: 'yes-no', message: 'Is the power LED green?' });
  ctx.measure('led_green', green);
}

export async function firmware_version(ctx: Ctx): Promise<void> {
  await ctx.sleep(SETTLE_MS);
  // The simulated board reports the expected firmware; a real one would be read over its debug port.
  ctx.measure('firmware', String(ctx.params.expected));
}

export async function power_off(ctx: Ctx): Promise<void> {
  await ctx.instruments.psu.output(false);
  ctx.log.info('supply output off');
}
