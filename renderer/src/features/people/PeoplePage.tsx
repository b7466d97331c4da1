import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStationView } from '../../api/station-context.tsx';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { languageOptions } from '../../i18n/language.ts';
import type { Person } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { useSession } from '../../api/session-context.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { useNow } from '../../components/use-now.ts';
import { ROLE_LABEL, ROLE_WORD } from '../access/role-text.ts';
import { AddPersonForm } from './AddPersonForm.tsx';
import { PersonActions, PersonEditor, type Editing } from './PersonActions.tsx';
import './people.css';

/** An admin's list of who may act on this station: add, change role, disable, reset a PIN. */
export function PeoplePage() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const view = useStationView();
  const languages = languageOptions(view.station?.languages ?? []);
  const { state } = useSession();
  const me = state?.session.kind === 'person' ? state.session.id : null;
  const heading = useRef<HTMLHeadingElement>(null);
  const [people, setPeople] = useState<Person[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    void client.invoke('people.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setPeople(r.value.people);
        setError(null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, tick, t]);

  const changed = useCallback((text: string) => {
    setNotice(text);
    setEditing(null);
    setTick((t) => t + 1);
  }, []);

  // Ticks (each second) only while someone is locked, so the lock ends on screen when it ends.
  const now = useNow(people?.some((p) => p.lockedUntil !== null) ?? false, 1000);
  const columns: Column<Person>[] = [
    {
      key: 'badge',
      header: t('login.badge'),
      cell: (p) => (
        <>
          <span className="mono">{p.badge}</span>
          {p.badge === me ? <span className="tag people-you">{t('people.you')}</span> : null}
        </>
      ),
    },
    { key: 'name', header: t('people.name'), cell: (p) => p.name },
    { key: 'role', header: t('people.role'), cell: (p) => <span className={`role-tag role-tag--${p.role}`}>{t(ROLE_LABEL[p.role])}</span> },
    {
      key: 'language',
      header: t('people.language'),
      cell: (p) =>
        p.language ? (
          <span lang={p.language}>{languages.find((l) => l.code === p.language)?.name ?? p.language}</span>
        ) : (
          <span className="muted">{t('people.stationLanguage')}</span>
        ),
    },
    {
      key: 'pin',
      header: t('login.pin'),
      cell: (p) =>
        p.hasPin ? (
          t('people.pinSet')
        ) : p.role === 'operator' ? (
          <span className="muted">{t('people.notNeeded')}</span>
        ) : (
          <span className="state-tag state-tag--warn">{t('people.pinMissing')}</span>
        ),
    },
    {
      key: 'state',
      header: t('uploads.state'),
      cell: (p) =>
        p.disabled ? (
          <span className="state-tag state-tag--off">{t('people.disabled')}</span>
        ) : p.lockedUntil && Date.parse(p.lockedUntil) > now ? (
          <span className="state-tag state-tag--warn">{t('people.lockedUntil', { time: f.time(p.lockedUntil) })}</span>
        ) : (
          <span className="state-tag state-tag--on">{t('people.active')}</span>
        ),
    },
    { key: 'updated', header: t('people.changed'), cell: (p) => <span className="muted small">{f.dateTime(p.updatedAt)}</span> },
    {
      key: 'actions',
      header: t('common.actions'),
      cell: (p) => <PersonActions person={p} self={p.badge === me} editing={editing} onEdit={setEditing} onChanged={changed} onError={setError} />,
    },
  ];

  return (
    <section className="page people-page" aria-labelledby="people-title">
      <div className="page-head">
        <div>
          <h1 id="people-title" ref={heading} tabIndex={-1}>
            {t('people.title')}
          </h1>
          <p className="list-meta">{t('people.lead')}</p>
        </div>
      </div>
      <AddPersonForm onAdded={(p) => changed(t('people.added', { name: p.name, badge: p.badge, role: t(ROLE_WORD[p.role]) }))} />
      <ListMessages error={error} notice={notice} />
      <ListBody items={people} error={error} empty={t('people.none')}>
        {(rows) => (
          <DataTable
            label={t('people.title')}
            columns={columns}
            rows={rows}
            rowKey={(p) => p.badge}
            muted={(p) => p.disabled}
            detail={(p) =>
              editing && editing.badge === p.badge ? <PersonEditor person={p} editing={editing} onCancel={() => setEditing(null)} onChanged={changed} /> : null
            }
          />
        )}
      </ListBody>
    </section>
  );
}
