/**
 * `node orphan-safe-state.ts <runner pid> <held instruments JSON>`: started detached by a
 * runner whose station died while phase code held its loop. Waits until that runner is
 * gone (its ports closed), then puts each instrument in its safe state over a fresh
 * connection and exits. Nothing else would switch the supply off.
 */
import { safeStateFresh, type HeldInstrument } from '#station/instruments/safe-state.ts';

const [pidArg, heldArg] = process.argv.slice(2);
const pid = Number(pidArg);
const held = JSON.parse(heldArg ?? '[]') as HeldInstrument[];

const alive = (): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const deadline = Date.now() + 10_000;
while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const problems = await safeStateFresh(held);
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
