import { Trans, useTranslation } from 'react-i18next';
import type { LiveSocket } from '#contract/live.ts';

/** Instruments a socket's runner cannot reach: named, with the reason, until they are back. */
export function InstrumentAlerts({ sockets }: { sockets: readonly LiveSocket[] }) {
  const { t } = useTranslation();
  const down = sockets.flatMap((s) => (s.instruments ?? []).filter((i) => i.state === 'disconnected').map((i) => ({ socket: s.socket, ...i })));
  if (down.length === 0) return null;
  const multi = sockets.length > 1;
  return (
    <section className="instrument-alerts" role="alert" aria-label={t('operator.instruments')}>
      {down.map((i) => (
        <p key={`${i.socket}:${i.name}`} className="field-error">
          <span className="field-error-icon" aria-hidden="true">
            !
          </span>
          <span>
            {/* The driver's reason (a port, a timeout) is the instrument's own words. */}
            <Trans
              i18nKey={
                multi
                  ? i.message
                    ? 'operator.instrumentDownSocketWhy'
                    : 'operator.instrumentDownSocket'
                  : i.message
                    ? 'operator.instrumentDownWhy'
                    : 'operator.instrumentDown'
              }
              values={{ name: i.name, socket: i.socket + 1, why: i.message }}
              components={{ name: <span className="mono strong" /> }}
            />
          </span>
        </p>
      ))}
    </section>
  );
}
