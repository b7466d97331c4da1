/** Values are fixed so the example always passes; change one to see the failure reason. */
import type { PhaseContext, Validators } from '#station/engine/sdk.ts';

export function numeric_limits(ctx: PhaseContext): void {
  ctx.measure('inclusive', 3.2); // on the limit: inclusive limits pass
  ctx.measure('exclusive', 0.5);
  ctx.measure('lower_only', 52.3);
  ctx.measure('upper_only', 180);
  ctx.measure('marginal', 4.8); // passes, flagged MARGINAL
}

export function tolerances(ctx: PhaseContext): void {
  ctx.measure('vref_abs', 2.507);
  ctx.measure('clock_pct', 16.04);
  ctx.measure('crystal_ppm', 32768.9);
}

export function text_and_flags(ctx: PhaseContext): void {
  ctx.measure('model', 'pl-100');
  ctx.measure('firmware', '1.4.2');
  ctx.measure('region', 'EU');
  ctx.measure('self_test_ok', true);
}

export function custom_check(ctx: PhaseContext): void {
  ctx.measure('mac_address', '02:1A:2B:3C:4D:5E');
}

/** Custom validators: check returns true, false or the reason it failed. */
export const validators: Validators = {
  unicast_mac: {
    description: 'a unicast MAC address (aa:bb:cc:dd:ee:ff)',
    check(value) {
      if (typeof value !== 'string' || !/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/i.test(value)) return `${JSON.stringify(value)} is not a MAC address`;
      return (parseInt(value.slice(0, 2), 16) & 1) === 0 || 'multicast address';
    },
  },
};
