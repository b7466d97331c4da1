import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveSocket } from '#contract/live.ts';
import type { StationView } from '../../api/station-view.ts';
import { useWedgeScanner } from '../../scanning/use-wedge-scanner.ts';
import { ScanStatus } from '../../scanning/ScanStatus.tsx';
import { InstrumentAlerts } from './InstrumentAlerts.tsx';
import { DatabaseNotice } from '../../components/DatabaseNotice.tsx';
import { SettingsNotice } from '../../components/SettingsNotice.tsx';
import { RecoveredRunsNotice } from './RecoveredRunsNotice.tsx';
import { ProcedureErrorPanel } from './ProcedureErrorPanel.tsx';
import { SocketPanel } from './SocketPanel.tsx';
import type { SerialFormHandle } from './SerialForm.tsx';
import { escKeysOwner, promptKeysOwner, readFocus, type KeyFocus, type KeySocket } from './keys.ts';
import { StorageBanner } from './StorageBanner.tsx';
import { BadgeLoginBanner } from './BadgeLoginBanner.tsx';

const isRunning = (s: LiveSocket): boolean => s.run !== null && s.run.outcome === undefined;
const keySockets = (sockets: readonly LiveSocket[]): KeySocket[] =>
  sockets.map((s) => ({ socket: s.socket, prompt: s.prompt !== null && isRunning(s), running: isRunning(s) }));

export function OperatorScreen({ view }: { view: StationView }) {
  const { t } = useTranslation();
  const [forms] = useState(() => new Map<number, SerialFormHandle>());
  // Keyboard-wedge scans (badge, fixture, serial) anywhere on the screen; slower keys are typing.
  const scan = useWedgeScanner(view.sockets, forms);

  // Which socket the shortcut keys act on follows focus: asked when a key comes, shown as focus moves.
  const latest = useRef(view.sockets);
  useLayoutEffect(() => {
    latest.current = view.sockets;
  });
  const ids = view.sockets.map((s) => s.socket).join(',');
  const [focus, setFocus] = useState<KeyFocus>({ socket: null, typing: false });
  useEffect(() => {
    const update = (): void => queueMicrotask(() => setFocus(readFocus(latest.current.map((s) => s.socket))));
    document.addEventListener('focusin', update);
    document.addEventListener('focusout', update);
    return () => {
      document.removeEventListener('focusin', update);
      document.removeEventListener('focusout', update);
    };
  }, []);
  const keyOwners = useCallback(() => {
    const ks = keySockets(latest.current);
    const f = readFocus(latest.current.map((s) => s.socket));
    return { prompt: promptKeysOwner(ks, f), esc: escKeysOwner(ks, f) };
  }, []);
  const ks = keySockets(view.sockets);
  const promptOwner = promptKeysOwner(ks, focus);
  const escOwner = escKeysOwner(ks, focus);

  // After an answer, the next open question takes focus (so its keys work), not a serial field.
  const openPrompts = view.sockets.map((s) => (s.prompt && isRunning(s) ? s.prompt.id : '')).join(',');
  useEffect(() => {
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const next = document.querySelector<HTMLElement>('[data-prompt]');
    (next?.querySelector<HTMLElement>('[data-autofocus]') ?? next)?.focus();
  }, [openPrompts, ids]);

  if (!view.station) {
    return (
      <section className="page page--center" aria-labelledby="connecting-title">
        <h1 id="connecting-title" className="connecting-title">
          {t('operator.connecting')}
        </h1>
        {view.syncError ? <p className="field-error">{view.syncError}</p> : null}
      </section>
    );
  }

  const sockets = view.sockets;
  return (
    <div className="operator">
      <h1 className="sr-only">{t('operator.title')}</h1>
      <ScanStatus scan={scan} scannerRefusal={view.scannerRefusal} />
      <InstrumentAlerts sockets={view.sockets} />
      <DatabaseNotice database={view.database} />
      <SettingsNotice problems={view.settingsProblems} detailed={false} />
      <RecoveredRunsNotice runs={view.recoveredRuns} />
      <StorageBanner storage={view.storage} />
      <BadgeLoginBanner />
      {view.procedureWarning && !view.procedureError ? (
        <section className="procedure-warning" role="status" aria-labelledby="procedure-warning-title">
          <h2 id="procedure-warning-title">{t('procedure.warningTitle')}</h2>
          <pre>{view.procedureWarning.message}</pre>
        </section>
      ) : null}
      {view.procedureError ? (
        <ProcedureErrorPanel error={view.procedureError} />
      ) : sockets.length === 0 ? (
        <section className="page page--center">
          <p className="status-title">{t('operator.noSockets')}</p>
        </section>
      ) : (
        <div
          className={`sockets sockets--${Math.min(sockets.length, 4)}${view.procedureWarning || view.storage.state !== 'ok' ? ' sockets--below-warning' : ''}`}
        >
          {sockets.map((s) => (
            <SocketPanel
              key={s.socket}
              socket={s}
              procedure={s.procedure ?? view.procedure}
              multi={sockets.length > 1}
              keyOwners={keyOwners}
              keys={{ prompt: promptOwner === s.socket, esc: escOwner === s.socket }}
              formRef={(h) => {
                if (h) forms.set(s.socket, h);
                else forms.delete(s.socket);
              }}
              runsEnded={view.runsEnded}
            />
          ))}
        </div>
      )}
    </div>
  );
}
