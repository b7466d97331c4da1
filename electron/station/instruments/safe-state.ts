/**
 * Safe state through a fresh connection, from the station itself: for when the
 * runner that held the instruments died (killed after an abort, crashed) and
 * nothing else would switch a supply off until a new runner has loaded.
 */
import { addressOf, connectInstrument } from './connect.ts';
import { driverHasSafeState } from './drivers.ts';

export interface HeldInstrument {
  name: string;
  address: string;
}

/**
 * Puts each instrument in its safe state on a new connection, in parallel, each
 * within `timeoutMs`. In-process simulators and replays died with the runner:
 * there is nothing to switch off. Returns one line per problem.
 */
export async function safeStateFresh(held: readonly HeldInstrument[], timeoutMs = 2500): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    held
      .filter((h) => !/^(sim|replay):/i.test(h.address.trim()) && needsSafeState(h))
      .map(async (h) => {
        let opened: ReturnType<typeof connectInstrument> | null = null;
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
          opened = connectInstrument(h.name, h.address, { reconnectMs: 100 });
          await opened.connection.ready(timeoutMs, deadline, true);
          await opened.instrument.safeState();
        } catch (e) {
          problems.push(`instrument ${h.name}: safe state after the runner stopped failed: ${(e as Error).message}`);
        } finally {
          await opened?.instrument.close().catch(() => undefined);
        }
      }),
  );
  return problems;
}

/** Only drivers with a safe state are worth a connection (a meter's does nothing). */
function needsSafeState(h: HeldInstrument): boolean {
  try {
    return driverHasSafeState(addressOf(h.name, h.address).driver);
  } catch {
    return false;
  }
}
