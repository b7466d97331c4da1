import type { HttpTarget } from './targets.ts';
import type { RunRecord } from '#contract/records.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { withAttachmentData } from '#station/formats/native.ts';
import { HttpClient, classifyAnswer, describeNetworkError } from './http-client.ts';
import { delivered, retryTarget, type Delivery, type DeliveryContext, type Sink } from './sink.ts';

/**
 * HTTP(S) JSON: POSTs the native run record with `Idempotency-Key: <run id>`, so a
 * receiver that keeps the keys it has seen stores a run once however often it
 * arrives (after a timeout, a reset or a station killed mid-request). A run with
 * attachments carries their bytes as the native format does (`attachmentData`),
 * read from the station's files; one it cannot read whole is named in
 * `attachmentsLeftOut`.
 */
export class HttpSink implements Sink {
  readonly label: string;
  private readonly url: URL;
  private readonly client: HttpClient;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly files: AttachmentReader | undefined;

  constructor(target: HttpTarget, appVersion: string, files?: AttachmentReader) {
    this.files = files;
    this.url = new URL(target.url);
    this.label = `${this.url.protocol}//${this.url.host}${this.url.pathname}`;
    this.client = new HttpClient({ maxSockets: target.concurrency, caFile: target.caFile });
    this.timeoutMs = target.timeoutMs;
    this.headers = {
      ...Object.fromEntries(Object.entries(target.headers).map(([k, v]) => [k.toLowerCase(), v])),
      'content-type': 'application/json; charset=utf-8',
      'user-agent': `Passline/${appVersion}`,
      ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
    };
  }

  async deliver(rec: RunRecord, ctx: DeliveryContext): Promise<Delivery> {
    try {
      const answer = await this.client.request(this.url, {
        method: 'POST',
        headers: { ...this.headers, 'idempotency-key': rec.id },
        body: JSON.stringify(rec.phases.some((p) => p.attachments?.length) ? withAttachmentData(rec, this.files) : rec),
        timeoutMs: this.timeoutMs,
        signal: ctx.signal,
      });
      return classifyAnswer(answer) ?? delivered;
    } catch (e) {
      return retryTarget(describeNetworkError(e, this.url));
    }
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}
