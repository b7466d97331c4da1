import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { TokenInfo } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { CreateTokenForm } from './CreateTokenForm.tsx';
import { RevokeButton } from './RevokeButton.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { SCOPE_TEXT } from './scope-text.ts';
import './tokens.css';

/** API tokens for line IT and other clients: each with a scope, revocable, with where it was last used. */
export function TokensPage() {
  const { t } = useTranslation();
  const f = useFormat();
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
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, tick, t]);

  const columns: Column<TokenInfo>[] = [
    {
      key: 'name',
      header: t('people.name'),
      cell: (x) => (
        <>
          {x.name}
          <div className="muted small mono">{x.id}</div>
        </>
      ),
    },
    {
      key: 'scope',
      header: t('tokens.scope'),
      cell: (x) => (
        <>
          <span className="mono scope-tag">{x.scope}</span>
          <div className="muted small">{t(SCOPE_TEXT[x.scope])}</div>
        </>
      ),
    },
    {
      key: 'created',
      header: t('tokens.createdCol'),
      cell: (x) => (
        <>
          {f.dateTime(x.createdAt)}
          <div className="muted small">{t('supervisor.by', { who: x.createdBy })}</div>
        </>
      ),
    },
    {
      key: 'used',
      header: t('tokens.lastUsed'),
      cell: (x) =>
        x.lastUsedAt ? (
          <>
            {f.dateTime(x.lastUsedAt)}
            {x.lastUsedFrom ? <div className="muted small mono">{t('tokens.from', { address: x.lastUsedFrom })}</div> : null}
          </>
        ) : (
          <span className="muted">{t('tokens.never')}</span>
        ),
    },
    {
      key: 'state',
      header: t('uploads.state'),
      cell: (x) =>
        x.revokedAt ? (
          <span className="state-tag state-tag--off">{t('tokens.revoked', { when: f.dateTime(x.revokedAt) })}</span>
        ) : (
          <span className="state-tag state-tag--on">{t('people.active')}</span>
        ),
    },
    {
      key: 'actions',
      header: t('common.actions'),
      cell: (x) =>
        x.revokedAt ? null : (
          <RevokeButton
            token={x}
            onRevoked={() => {
              setNotice(t('tokens.revokedNotice', { name: x.name }));
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
            {t('tokens.title')}
          </h1>
          <p className="list-meta">{t('tokens.lead')}</p>
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
      <ListBody items={tokens} error={error} empty={t('tokens.none')}>
        {(rows) => <DataTable label={t('tokens.title')} columns={columns} rows={rows} rowKey={(t) => t.id} muted={(t) => t.revokedAt !== null} />}
      </ListBody>
    </section>
  );
}
