import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { LiveSocket } from '#contract/live.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { SelectField } from '../../components/Field.tsx';
import { ListMessages } from '../../components/ListState.tsx';
import { shortHash } from '../../components/format.ts';

type List = CommandOutput<'procedures.list'>;

/** Which procedure each socket runs; a change takes effect between runs (a running socket finishes first). */
export function SocketAssign({ list, live, onAssigned }: { list: List; live: readonly LiveSocket[]; onAssigned(notice: string): void }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const [error, setError] = useState<string | null>(null);
  const options = list.procedures.filter((p) => p.error === null).map((p) => ({ value: p.id, label: `${p.name ?? p.id} (${p.id})` }));
  return (
    <section className="card procedure-section" aria-labelledby="sockets-title">
      <h2 id="sockets-title" className="section-title">
        {t('procedures.perSocket')}
      </h2>
      <p className="list-meta">{t('procedures.perSocketLead')}</p>
      <ListMessages error={error} />
      <div className="socket-assign">
        {list.sockets.map((s) => {
          const running = live.find((l) => l.socket === s.socket)?.run != null && live.find((l) => l.socket === s.socket)?.state === 'running';
          const current = options.some((o) => o.value === s.procedureId) ? options : [...options, { value: s.procedureId, label: s.procedureId }];
          return (
            <div key={s.socket} className="socket-assign-item">
              <SelectField
                label={t('operator.socket', { socket: s.socket + 1 })}
                value={s.procedureId}
                options={current}
                hint={
                  s.loadedVersion
                    ? `${t('procedures.loaded', { version: s.loadedVersion, hash: s.loadedHash ? shortHash(s.loadedHash) : '' })}${running ? ` · ${t('procedures.runningNow')}` : ''}`
                    : t('procedures.nothingLoaded')
                }
                onChange={(procedureId) => {
                  void client.invoke('procedures.assign', { socket: s.socket, procedureId }).then((r) => {
                    if (r.ok) {
                      setError(null);
                      onAssigned(t('procedures.assigned', { socket: s.socket + 1, procedure: procedureId }));
                    } else setError(errorText(t, r.error));
                  });
                }}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
