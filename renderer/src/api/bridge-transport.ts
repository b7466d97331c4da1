import type { CommandName } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import { INVOKE_TIMEOUT_MS, disconnected, type StationBridge, type Transport, type TransportHandlers } from './transport.ts';

/** Electron: the preload's `window.station`. Events arrive live; the caller filters by seq and fills gaps. */
export function createBridgeTransport(bridge: StationBridge): Transport {
  return {
    kind: 'electron',
    async invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<Result<unknown>>((resolve) => {
        timer = setTimeout(
          () =>
            resolve(
              disconnected(`the station did not answer ${name} within ${INVOKE_TIMEOUT_MS / 1000} s`, 'app.noAnswer', {
                command: name,
                seconds: INVOKE_TIMEOUT_MS / 1000,
              }),
            ),
          INVOKE_TIMEOUT_MS,
        );
      });
      try {
        return await Promise.race([bridge.invoke(name, input), timeout]);
      } catch (e) {
        return { ok: false, error: { kind: 'internal', message: e instanceof Error ? e.message : String(e) } };
      } finally {
        clearTimeout(timer);
      }
    },
    subscribe() {
      // The bridge always streams; nothing to ask for.
    },
    connect(handlers: TransportHandlers) {
      const off = bridge.on((event) => handlers.onEvent(event));
      queueMicrotask(() => handlers.onOpen());
      return off;
    },
  };
}
