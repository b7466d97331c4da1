import type { Dmm, PhaseContext, PowerSupply } from '#station/engine/sdk.ts';

type Ctx = PhaseContext<{ psu: PowerSupply; dmm: Dmm }>;

export async function power_on(ctx: Ctx): Promise<void> {
  await ctx.instruments.psu.setVoltage(12);
  await ctx.instruments.psu.output(true);
}

export async function rail_voltage(ctx: Ctx): Promise<void> {
  await ctx.sleep(Number(ctx.params.settleMs));
  ctx.measure('voltage', await ctx.instruments.dmm.measureDcVoltage(Number(ctx.params.channel), ctx.signal));
}

export async function power_off(ctx: Ctx): Promise<void> {
  await ctx.instruments.psu.output(false);
}
