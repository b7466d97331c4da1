import { createHash } from 'node:crypto';
import type { Attachment, RunRecord } from '#contract/records.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';

/**
 * Attachment bytes inside exchange files (native `attachmentData`, OpenHTF inline
 * `data`): base64 in and out, each file checked against its hash on the way in.
 */

export const sha256Of = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const sha1Of = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

/** Standard base64 with padding, as both formats write it; anything else is not decoded (Buffer.from would skip bad characters silently). */
export function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** What an import read besides the records: the bytes to store, and what it refused or could not find, named. */
export interface ImportedBytes {
  /** By sha256, computed from the bytes. */
  bytes: Map<string, Buffer>;
  /** Hashes whose bytes were in the file but refused (a warning says why). */
  refused: Set<string>;
  /** Hashes the file says it carries no bytes for, with its reason. */
  leftOut: Map<string, string>;
  warnings: string[];
}

export const importedBytes = (): ImportedBytes => ({ bytes: new Map(), refused: new Set(), leftOut: new Map(), warnings: [] });

/** Each attachment of a run once, with the phase that holds it (a retried phase may attach the same file again). */
export function runAttachments(rec: RunRecord): { phase: string; attachment: Attachment }[] {
  const seen = new Set<string>();
  const out: { phase: string; attachment: Attachment }[] = [];
  for (const p of rec.phases)
    for (const a of p.attachments ?? []) {
      const key = `${a.sha256}/${a.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ phase: p.name, attachment: a });
    }
  return out;
}

export const describeAttachment = (phase: string, a: Pick<Attachment, 'name' | 'sha256'>): string =>
  `attachment "${a.name}" of phase ${phase} (sha256 ${a.sha256.slice(0, 12)}…)`;

/**
 * Reads the bytes an export embeds. An attachment the station cannot give whole is left
 * out with the reason (`leftOut` by sha256), never as a silent gap; `bytes` counts what
 * the export holds, so a cap (`maxBytes`) stops it before it outgrows what can be read back.
 */
export class EmbeddedBytes {
  readonly data = new Map<string, Buffer>();
  readonly leftOut = new Map<string, string>();
  bytes = 0;
  private readonly files: AttachmentReader | undefined;
  private readonly maxBytes: number;
  private readonly why: string;

  /** Without `files` nothing is embedded: each attachment is left out with `why`. */
  constructor(files: AttachmentReader | undefined, maxBytes = Number.POSITIVE_INFINITY, why = 'not included in this export') {
    this.files = files;
    this.maxBytes = maxBytes;
    this.why = why;
  }

  /** The bytes, or null with the reason kept in leftOut. Each call counts (the file is written again); past maxBytes it throws TooBig. */
  read(a: Attachment): Buffer | null {
    if (this.leftOut.has(a.sha256)) return null;
    let b = this.data.get(a.sha256);
    if (!b) {
      if (!this.files) {
        this.leftOut.set(a.sha256, this.why);
        return null;
      }
      try {
        b = this.files.readChecked(a.sha256);
      } catch (e) {
        this.leftOut.set(a.sha256, e instanceof Error ? e.message : String(e));
        return null;
      }
      this.data.set(a.sha256, b);
    }
    if (this.bytes + b.byteLength > this.maxBytes) throw new TooBig(this.bytes + b.byteLength, this.maxBytes);
    this.bytes += b.byteLength;
    return b;
  }
}

export class TooBig extends Error {
  readonly bytes: number;
  readonly maxBytes: number;
  constructor(bytes: number, maxBytes: number) {
    super(`the attachments come to more than ${maxBytes} bytes`);
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}
