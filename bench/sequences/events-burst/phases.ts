/** Each phase emits 20 measurements 5 ms apart; the value is the runner's wall clock (Date.now, the same clock the browser reads) when it was sent. */
import type { PhaseContext } from '#station/engine/sdk.ts';

async function burst(ctx: PhaseContext): Promise<void> {
  for (let i = 0; i < 20; i++) {
    ctx.measure(`m${String(i).padStart(2, '0')}`, `t=${Date.now()}.000`);
    await ctx.sleep(5);
  }
}

export const burst_00 = burst;
export const burst_01 = burst;
export const burst_02 = burst;
export const burst_03 = burst;
export const burst_04 = burst;
export const burst_05 = burst;
export const burst_06 = burst;
export const burst_07 = burst;
export const burst_08 = burst;
export const burst_09 = burst;
export const burst_10 = burst;
export const burst_11 = burst;
export const burst_12 = burst;
export const burst_13 = burst;
export const burst_14 = burst;
export const burst_15 = burst;
export const burst_16 = burst;
export const burst_17 = burst;
export const burst_18 = burst;
export const burst_19 = burst;
export const burst_20 = burst;
export const burst_21 = burst;
export const burst_22 = burst;
export const burst_23 = burst;
export const burst_24 = burst;
export const burst_25 = burst;
export const burst_26 = burst;
export const burst_27 = burst;
export const burst_28 = burst;
export const burst_29 = burst;
export const burst_30 = burst;
export const burst_31 = burst;
export const burst_32 = burst;
export const burst_33 = burst;
export const burst_34 = burst;
export const burst_35 = burst;
export const burst_36 = burst;
export const burst_37 = burst;
export const burst_38 = burst;
export const burst_39 = burst;
export const burst_40 = burst;
export const burst_41 = burst;
export const burst_42 = burst;
export const burst_43 = burst;
export const burst_44 = burst;
export const burst_45 = burst;
export const burst_46 = burst;
export const burst_47 = burst;
export const burst_48 = burst;
export const burst_49 = burst;
