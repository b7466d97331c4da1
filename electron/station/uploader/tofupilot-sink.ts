import type { RunRecord } from '#contract/records.ts';
import { StationFault } from '#contract/errors.ts';
import { toTofuPilotRun } from '#station/formats/tofupilot.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { describeAttachment, runAttachments } from '#station/formats/attachment-bytes.ts';
import type { TofuPilotTarget } from './targets.ts';
import { HttpClient, classifyAnswer, describeNetworkError, type HttpAnswer } from './http-client.ts';
import { delivered, messageOf, park, retryRun, retryTarget, type Delivery, type DeliveryContext, type Sink } from './sink.ts';

/**
 * TofuPilot, API v2: `POST /v2/runs` with the run, then each attachment through
 * their upload flow (`POST /v2/attachments` → PUT the bytes to the upload URL →
 * `POST /v2/attachments/{id}/finalize`) and `PATCH /v2/runs/{id}` linking them.
 * The run id TofuPilot answers is kept with the queue row at once, so a retry
 * after a failed attachment never creates the run a second time. The bytes are
 * the station's stored files (`attachments`), each checked against the record's
 * sha256 as it is read; a file the station no longer has whole parks the run,
 * naming it, rather than linking the run without it.
 */
export class TofuPilotSink implements Sink {
  readonly label: string;
  private readonly base: string;
  private readonly client: HttpClient;
  private readonly target: TofuPilotTarget;
  private readonly headers: Record<string, string>;
  private readonly attachments: AttachmentReader | undefined;

  constructor(target: TofuPilotTarget, appVersion: string, attachments?: AttachmentReader) {
    this.target = target;
    this.base = target.url.replace(/\/+$/, '');
    this.label = `TofuPilot ${new URL(this.base).host}`;
    this.client = new HttpClient({ maxSockets: target.concurrency, caFile: target.caFile });
    this.headers = { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json', 'user-agent': `Passline/${appVersion}` };
    this.attachments = attachments;
  }

  private call(method: string, path: string, body: unknown, ctx: DeliveryContext, extra: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.client.request(new URL(this.base + path), {
      method,
      headers: { ...this.headers, ...extra },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: this.target.timeoutMs,
      signal: ctx.signal,
    });
  }

  async deliver(rec: RunRecord, ctx: DeliveryContext): Promise<Delivery> {
    const procedureId = this.target.procedureIds[rec.procedure.id] ?? this.target.defaultProcedureId;
    if (!procedureId)
      return park(
        `no TofuPilot procedure for Passline procedure "${rec.procedure.id}": add it to the target's procedureIds (or set defaultProcedureId), then retry`,
      );
    let step = 'creating the run';
    let url = new URL(this.base);
    try {
      let runId = ctx.remoteRef;
      if (runId === null) {
        url = new URL(`${this.base}/v2/runs`);
        // TofuPilot does not document idempotency keys; the header costs nothing where it is honoured.
        const a = await this.call('POST', '/v2/runs', toTofuPilotRun(rec, procedureId, this.target.partNumber), ctx, { 'idempotency-key': rec.id });
        const bad = classifyAnswer(a);
        if (bad) return bad;
        runId = idOf(a.body);
        if (!runId) return park(`TofuPilot accepted the run but answered without its id (${a.body.slice(0, 200)}); not sent again, to avoid a duplicate`);
        ctx.setRemoteRef(runId);
      }
      const files = runAttachments(rec);
      if (files.length === 0) return delivered;
      if (!this.attachments)
        return park(
          `the run has ${files.length} attachment(s) and this TofuPilot target was given no attachment files to read; it is in TofuPilot as ${runId} without them`,
        );
      const ids: string[] = [];
      for (const { phase, attachment: f } of files) {
        step = `uploading attachment ${f.name}`;
        let data: Buffer;
        try {
          data = this.attachments.readChecked(f.sha256);
        } catch (e) {
          const what = describeAttachment(phase, f);
          // The same file would be missing the next time: a supervisor decides.
          if (e instanceof StationFault && e.kind === 'not-found')
            return park(`${what} cannot be sent: ${e.message}; the run is in TofuPilot as ${runId} without its attachments`);
          return retryRun(`${what} could not be read: ${messageOf(e)}`);
        }
        url = new URL(`${this.base}/v2/attachments`);
        const init = await this.call('POST', '/v2/attachments', { name: f.name }, ctx);
        const bad = classifyAnswer(init);
        if (bad) return bad;
        const { id, upload_url } = JSON.parse(init.body) as { id?: string; upload_url?: string };
        if (!id || !upload_url) return retryTarget(`TofuPilot: ${step}: the answer has no id or upload_url`);
        url = new URL(upload_url);
        const put = await this.client.request(url, {
          method: 'PUT',
          headers: { 'content-type': f.mediaType },
          body: data,
          timeoutMs: this.target.timeoutMs,
          signal: ctx.signal,
        });
        const putBad = classifyAnswer(put);
        if (putBad) return putBad;
        url = new URL(`${this.base}/v2/attachments/${encodeURIComponent(id)}/finalize`);
        const fin = await this.call('POST', `/v2/attachments/${encodeURIComponent(id)}/finalize`, {}, ctx);
        const finBad = classifyAnswer(fin);
        if (finBad) return finBad;
        ids.push(id);
      }
      step = 'linking attachments to the run';
      url = new URL(`${this.base}/v2/runs/${encodeURIComponent(runId)}`);
      const patch = await this.call('PATCH', `/v2/runs/${encodeURIComponent(runId)}`, { attachments: ids }, ctx);
      return classifyAnswer(patch) ?? delivered;
    } catch (e) {
      return retryTarget(`TofuPilot, ${step}: ${describeNetworkError(e, url)}`);
    }
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

function idOf(body: string): string | null {
  try {
    const j = JSON.parse(body) as { id?: unknown };
    return typeof j.id === 'string' && j.id !== '' ? j.id : null;
  } catch {
    return null;
  }
}
