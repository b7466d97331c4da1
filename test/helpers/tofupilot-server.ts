import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * TofuPilot's v2 API as their docs describe it, on 127.0.0.1, recording every call:
 * `POST /v2/runs` → `{id}`; `POST /v2/attachments {name}` → `{id, upload_url}` (a
 * pre-signed URL on the same server, standing in for S3); `PUT` the bytes there;
 * `POST /v2/attachments/{id}/finalize`; `PATCH /v2/runs/{id} {attachments: [ids]}`.
 * It keeps what a receiver would: each upload's bytes (and their sha256, computed
 * here) and which finalized uploads each run links.
 */

export interface TpCall {
  method: string;
  path: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
  raw: Buffer;
}

export interface TpUpload {
  id: string;
  name: string;
  contentType: string | undefined;
  bytes: Buffer | null;
  sha256: string | null;
  finalized: boolean;
}

export interface FakeTofuPilot {
  url: string;
  calls: TpCall[];
  uploads: Map<string, TpUpload>;
  /** Run id → the upload ids a PATCH linked to it (the last PATCH wins, as an update does). */
  links: Map<string, string[]>;
  /** The uploads linked to a run, each finalized with its bytes: what TofuPilot would show on the run. */
  attachmentsOf(runId: string): TpUpload[];
  close(): Promise<void>;
}

export async function startFakeTofuPilot(opts: { key: string; failFinalizeOnce?: boolean; status?: number }): Promise<FakeTofuPilot> {
  const calls: TpCall[] = [];
  const uploads = new Map<string, TpUpload>();
  const links = new Map<string, string[]>();
  let n = 0;
  let finalizeFailed = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const path = req.url ?? '';
      calls.push({ method: req.method ?? '', path, auth: req.headers.authorization, contentType: req.headers['content-type'], body, raw });
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const s3 = /^\/s3\/(.+)$/.exec(path);
      if (s3) {
        const up = uploads.get(decodeURIComponent(s3[1]!));
        if (!up || req.method !== 'PUT') return void res.writeHead(403).end();
        up.bytes = raw;
        up.sha256 = createHash('sha256').update(raw).digest('hex');
        up.contentType = req.headers['content-type'];
        return void res.writeHead(200).end();
      }
      if (req.headers.authorization !== `Bearer ${opts.key}`) return json(401, { message: 'Invalid API key' });
      if (opts.status) return json(opts.status, { message: 'Procedure not found', issues: [{ path: ['procedure_id'] }] });
      if (req.method === 'POST' && path === '/api/v2/runs') return json(200, { id: `tp-run-${++n}` });
      if (req.method === 'POST' && path === '/api/v2/attachments') {
        const id = `up-${++n}`;
        uploads.set(id, {
          id,
          name: String((JSON.parse(body) as { name?: unknown }).name),
          contentType: undefined,
          bytes: null,
          sha256: null,
          finalized: false,
        });
        return json(200, { id, upload_url: `http://127.0.0.1:${port}/s3/${id}` });
      }
      const fin = /^\/api\/v2\/attachments\/([^/]+)\/finalize$/.exec(path);
      if (req.method === 'POST' && fin) {
        if (opts.failFinalizeOnce && !finalizeFailed) {
          finalizeFailed = true;
          return json(502, { message: 'bad gateway' });
        }
        const up = uploads.get(decodeURIComponent(fin[1]!));
        if (!up?.bytes) return json(400, { message: 'nothing was uploaded' });
        up.finalized = true;
        return json(200, { url: 'https://files.example/x' });
      }
      if (req.method === 'PATCH' && path.startsWith('/api/v2/runs/')) {
        const runId = decodeURIComponent(path.split('/').pop()!);
        const ids = (JSON.parse(body) as { attachments?: string[] }).attachments ?? [];
        if (ids.some((id) => !uploads.get(id)?.finalized)) return json(400, { message: 'an attachment is not finalized' });
        links.set(runId, ids);
        return json(200, { id: runId });
      }
      json(404, { message: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api`,
    calls,
    uploads,
    links,
    attachmentsOf: (runId) => (links.get(runId) ?? []).map((id) => uploads.get(id)!),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
