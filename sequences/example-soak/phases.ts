import type { Dmm, PhaseContext, PowerSupply, SoakPhase } from '#station/engine/sdk.ts';

type Ctx = PhaseContext<{ psu: PowerSupply; dmm: Dmm }>;

let t0 = 0;

/** start once, every() on the soak's period until its duration ends, end once. */
export const burn_in: SoakPhase<{ psu: PowerSupply; dmm: Dmm }> = {
  async start(ctx: Ctx) {
    await ctx.instruments.psu.setVoltage(12);
    await ctx.instruments.psu.output(true);
    t0 = performance.now();
  },
  async every(ctx: Ctx, tick: number) {
    const amps = await ctx.instruments.psu.measureCurrent(ctx.signal);
    ctx.series('supply_current').add((performance.now() - t0) / 1000, amps);
    // Kill switch: stop at once if the unit draws too much.
    if (amps > Number(ctx.params.maxCurrentA)) {
      ctx.log.error(`tick ${tick}: ${amps} A is over ${String(ctx.params.maxCurrentA)} A: stopping the soak`);
      return 'STOP';
    }
    return undefined;
  },
  async end(ctx: Ctx) {
    await ctx.instruments.psu.output(false);
  },
};

export async function power_off(ctx: Ctx): Promise<void> {
  await ctx.instruments.psu.output(false);
}
