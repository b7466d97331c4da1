import { useCallback, useEffect, useRef, useState } from 'react';
import type { Person } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { useSession } from '../../api/session-context.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { formatDateTime } from '../../components/format.ts';
import { useNow } from '../../components/use-now.ts';
import { ROLE_LABEL } from '../access/role-text.ts';
import { AddPersonForm } from './AddPersonForm.tsx';
import { PersonActions, PersonEditor, type Editing } from './PersonActions.tsx';
import './people.css';

/** An admin's list of who may act on this station: add, change role, disable, reset a PIN. */
export function PeoplePage() {
  const client = useStationClient();
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
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, tick]);

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
      header: 'Badge',
      cell: (p) => (
        <>
          <span className="mono">{p.badge}</span>
          {p.badge === me ? <span className="tag people-you">you</span> : null}
        </>
      ),
    },
    { key: 'name', header: 'Name', cell: (p) => p.name },
    { key: 'role', header: 'Role', cell: (p) => <span className={`role-tag role-tag--${p.role}`}>{ROLE_LABEL[p.role]}</span> },
    {
      key: 'pin',
      header: 'PIN',
      cell: (p) =>
        p.hasPin ? (
          'Set'
        ) : p.role === 'operator' ? (
          <span className="muted">Not needed</span>
        ) : (
          <span className="state-tag state-tag--warn">Missing: cannot log in</span>
        ),
    },
    {
      key: 'state',
      header: 'State',
      cell: (p) =>
        p.disabled ? (
          <span className="state-tag state-tag--off">Disabled</span>
        ) : p.lockedUntil && Date.parse(p.lockedUntil) > now ? (
          <span className="state-tag state-tag--warn">Locked until {formatDateTime(p.lockedUntil).slice(11)}</span>
        ) : (
          <span className="state-tag state-tag--on">Active</span>
        ),
    },
    { key: 'updated', header: 'Changed', cell: (p) => <span className="muted small">{formatDateTime(p.updatedAt)}</span> },
    {
      key: 'actions',
      header: 'Actions',
      cell: (p) => <PersonActions person={p} self={p.badge === me} editing={editing} onEdit={setEditing} onChanged={changed} onError={setError} />,
    },
  ];

  return (
    <section className="page people-page" aria-labelledby="people-title">
      <div className="page-head">
        <div>
          <h1 id="people-title" ref={heading} tabIndex={-1}>
            People
          </h1>
          <p className="list-meta">
            Who may act on this station. Operators log in with their badge; technicians, supervisors and admins with their badge and a PIN.
          </p>
        </div>
      </div>
      <AddPersonForm onAdded={(p) => changed(`${p.name} (${p.badge}) was added as ${ROLE_LABEL[p.role].toLowerCase()}.`)} />
      <ListMessages error={error} notice={notice} />
      <ListBody items={people} error={error} empty="No one yet.">
        {(rows) => (
          <DataTable
            label="People"
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
