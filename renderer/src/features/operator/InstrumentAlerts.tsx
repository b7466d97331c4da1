import type { LiveSocket } from '#contract/live.ts';

/** Instruments a socket's runner cannot reach: named, with the reason, until they are back. */
export function InstrumentAlerts({ sockets }: { sockets: readonly LiveSocket[] }) {
  const down = sockets.flatMap((s) => (s.instruments ?? []).filter((i) => i.state === 'disconnected').map((i) => ({ socket: s.socket, ...i })));
  if (down.length === 0) return null;
  const multi = sockets.length > 1;
  return (
    <section className="instrument-alerts" role="alert" aria-label="Instruments">
      {down.map((i) => (
        <p key={`${i.socket}:${i.name}`} className="field-error">
          <span className="field-error-icon" aria-hidden="true">
            !
          </span>
          <span>
            Instrument <span className="mono strong">{i.name}</span>
            {multi ? ` (socket ${i.socket + 1})` : ''} disconnected{i.message ? `: ${i.message}` : ''}. It reconnects by itself when it is back.
          </span>
        </p>
      ))}
    </section>
  );
}
