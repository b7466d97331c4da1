import type { LiveSocket } from '#contract/live.ts';
import type { StationView } from '../../api/station-view.ts';
import { useWedgeScanner } from '../../scanning/use-wedge-scanner.ts';
import { ScanStatus } from '../../scanning/ScanStatus.tsx';
import { InstrumentAlerts } from './InstrumentAlerts.tsx';
import { ProcedureErrorPanel } from './ProcedureErrorPanel.tsx';
import { SocketPanel } from './SocketPanel.tsx';
import { StorageBanner } from './StorageBanner.tsx';

const isRunning = (s: LiveSocket): boolean => s.run !== null && s.run.outcome === undefined;

export function OperatorScreen({ view }: { view: StationView }) {
  // Keyboard-wedge scans (badge, fixture, serial) anywhere on the screen; slower keys are typing.
  const scan = useWedgeScanner(
    view.sockets.map((s) => s.socket),
    view.sockets.some((s) => s.prompt !== null && isRunning(s)),
  );

  if (!view.station) {
    return (
      <section className="page page--center" aria-labelledby="connecting-title">
        <h1 id="connecting-title" className="connecting-title">
          Connecting to the station…
        </h1>
        {view.syncError ? <p className="field-error">{view.syncError}</p> : null}
      </section>
    );
  }

  const sockets = view.sockets;
  const prompts = sockets.filter((s) => s.prompt !== null && isRunning(s));
  const running = sockets.filter(isRunning);
  return (
    <div className="operator">
      <h1 className="sr-only">Test station</h1>
      <ScanStatus scan={scan} />
      <InstrumentAlerts sockets={view.sockets} />
      <StorageBanner storage={view.storage} />
      {view.procedureWarning && !view.procedureError ? (
        <section className="procedure-warning" role="status" aria-labelledby="procedure-warning-title">
          <h2 id="procedure-warning-title">An edit of the procedure did not load: testing goes on with the last good version</h2>
          <pre>{view.procedureWarning.message}</pre>
        </section>
      ) : null}
      {view.procedureError ? (
        <ProcedureErrorPanel error={view.procedureError} />
      ) : sockets.length === 0 ? (
        <section className="page page--center">
          <p className="status-title">This station has no test sockets configured.</p>
        </section>
      ) : (
        <div className={`sockets sockets--${Math.min(sockets.length, 4)}${view.procedureWarning || view.storage.state !== 'ok' ? ' sockets--below-warning' : ''}`}>
          {sockets.map((s) => (
            <SocketPanel
              key={s.socket}
              socket={s}
              procedure={view.procedure}
              multi={sockets.length > 1}
              onlyPrompt={prompts.length === 1 && prompts[0] === s}
              onlyRunning={running.length === 1 && running[0] === s}
              runsEnded={view.runsEnded}
            />
          ))}
        </div>
      )}
    </div>
  );
}
