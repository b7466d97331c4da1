import { useEffect, useRef, useState } from 'react';
import type { TokenInfo } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { formatDateTime } from '../../components/format.ts';
import { CreateTokenForm } from './CreateTokenForm.tsx';
import { RevokeButton } from './RevokeButton.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { SCOPE_TEXT } from './scope-text.ts';
import './tokens.css';

/** API tokens for line IT and other clients: each with a scope, revocable, with where it was last used. */
export function TokensPage() {
  const client = useStationClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: TokenInfo; secret: string } | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    void client.invoke('tokens.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setTokens(r.value.tokens);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, tick]);

  const columns: Column<TokenInfo>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (t) => (
        <>
          {t.name}
          <div className="muted small mono">{t.id}</div>
        </>
      ),
    },
    {
      key: 'scope',
      header: 'Scope',
      cell: (t) => (
        <>
          <span className="mono scope-tag">{t.scope}</span>
          <div className="muted small">{SCOPE_TEXT[t.scope]}</div>
        </>
      ),
    },
    {
      key: 'created',
      header: 'Created',
      cell: (t) => (
        <>
          {formatDateTime(t.createdAt)}
          <div className="muted small">by {t.createdBy}</div>
        </>
      ),
    },
    {
      key: 'used',
      header: 'Last used',
      cell: (t) =>
        t.lastUsedAt ? (
          <>
            {formatDateTime(t.lastUsedAt)}
            {t.lastUsedFrom ? <div className="muted small mono">from {t.lastUsedFrom}</div> : null}
          </>
        ) : (
          <span className="muted">Never</span>
        ),
    },
    {
      key: 'state',
      header: 'State',
      cell: (t) =>
        t.revokedAt ? (
          <span className="state-tag state-tag--off">Revoked {formatDateTime(t.revokedAt)}</span>
        ) : (
          <span className="state-tag state-tag--on">Active</span>
        ),
    },
    {
      key: 'actions',
      header: 'Actions',
      cell: (t) =>
        t.revokedAt ? null : (
          <RevokeButton
            token={t}
            onRevoked={() => {
              setNotice(`${t.name} is revoked: clients using it are refused from now on.`);
              setTick((n) => n + 1);
            }}
            onError={setError}
          />
        ),
    },
  ];

  return (
    <section className="page tokens-page" aria-labelledby="tokens-title">
      <div className="page-head">
        <div>
          <h1 id="tokens-title" ref={heading} tabIndex={-1}>
            API tokens
          </h1>
          <p className="list-meta">For line IT and other programs that read or drive this station. Each token can do what its scope allows, no more.</p>
        </div>
      </div>
      {created ? (
        <SecretOnce token={created.token} secret={created.secret} onDone={() => setCreated(null)} />
      ) : (
        <CreateTokenForm
          onCreated={(c) => {
            setNotice(null);
            setCreated(c);
            setTick((n) => n + 1);
          }}
        />
      )}
      <ListMessages error={error} notice={notice} />
      <ListBody items={tokens} error={error} empty="No token yet.">
        {(rows) => <DataTable label="API tokens" columns={columns} rows={rows} rowKey={(t) => t.id} muted={(t) => t.revokedAt !== null} />}
      </ListBody>
    </section>
  );
}
