import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Attachment, RunRecord } from '#contract/records.ts';
import { StationFault } from '#contract/errors.ts';
import { attachmentFileName, formatRunChunks, runFileName } from '#station/formats/transfer.ts';
import { runAttachments } from '#station/formats/attachment-bytes.ts';
import type { AttachmentUri } from '#station/formats/ocp.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import type { FolderTarget } from './targets.ts';
import { delivered, messageOf, park, retryTarget, type Delivery, type Sink } from './sink.ts';

/**
 * Folder drop: one file per run, written whole or not at all. The bytes go to a
 * hidden temporary name in the same folder, are flushed to the disk (fsync), then
 * renamed to the final name, and the folder itself is flushed: a watcher (an MES)
 * never sees a half-written file, and a run delivered twice (after a crash) lands
 * on the same name, so the folder still holds it once.
 *
 * Attachments: native and OpenHTF carry their bytes inside the run's file (one file
 * per run still). OCP has no place for bytes, so each attachment is written beside
 * the run's file (attachmentFileName), the same way, before it: a watcher that sees
 * the run finds its files there, and each `file` artifact's uri is that file's name,
 * relative to the run's file. A file the station cannot give whole is named in the
 * record with the reason, never skipped in silence.
 */
export class FolderSink implements Sink {
  readonly label: string;
  private readonly dir: string;
  private readonly format: FolderTarget['format'];
  private readonly files: AttachmentReader | undefined;

  constructor(target: FolderTarget, files?: AttachmentReader) {
    this.dir = target.path;
    this.format = target.format;
    this.label = `${target.path} (${target.format})`;
    this.files = files;
  }

  async deliver(rec: RunRecord): Promise<Delivery> {
    let uri: AttachmentUri | undefined;
    if (this.format === 'ocp') {
      try {
        uri = await this.writeAttachments(rec);
      } catch (e) {
        return retryTarget(describeFsError(e, this.dir));
      }
    }
    let text: string[];
    try {
      text = formatRunChunks(rec, this.format, this.files, uri);
    } catch (e) {
      // The same record would fail the same way every time.
      return park(`cannot write run as ${this.format}: ${messageOf(e)}`);
    }
    const name = runFileName(rec, this.format);
    try {
      await writeWhole(this.dir, name, text);
      await syncDir(this.dir);
      return delivered;
    } catch (e) {
      return retryTarget(describeFsError(e, this.dir));
    }
  }

  /** Each attachment as a file beside the run's; where each artifact points, or why it is not there. */
  private async writeAttachments(rec: RunRecord): Promise<AttachmentUri> {
    const where = new Map<string, string | { leftOut: string }>();
    const key = (a: Attachment): string => `${a.sha256}/${a.name}`;
    for (const { attachment: a } of runAttachments(rec)) {
      const name = attachmentFileName(rec, a);
      // Delivered before (a crash after the files, before the run): the file is there whole, under its hash.
      const there = await stat(join(this.dir, name)).then(
        (s) => s.size === a.size,
        () => false,
      );
      if (!there) {
        if (!this.files) {
          where.set(key(a), { leftOut: 'the folder target was given no attachment files' });
          continue;
        }
        let bytes: Buffer;
        try {
          bytes = this.files.readChecked(a.sha256);
        } catch (e) {
          if (!(e instanceof StationFault)) throw e;
          where.set(key(a), { leftOut: e.message });
          continue;
        }
        await writeWhole(this.dir, name, [bytes]);
      }
      where.set(key(a), name);
    }
    return (a) => where.get(key(a)) ?? { leftOut: 'not written' };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Written to a hidden temporary name, flushed, then renamed: the final name only ever holds the whole file. */
async function writeWhole(dir: string, name: string, data: (string | Uint8Array)[]): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/** Makes the rename durable; some file systems (network shares) cannot sync a folder, which is not an error. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    /* best effort */
  } finally {
    await fh?.close();
  }
}

function describeFsError(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `folder ${dir} does not exist (is the share mounted?)`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${dir}`;
    case 'ENOSPC':
      return `no space left on ${dir}`;
    case 'ENOTDIR':
      return `${dir} is not a folder`;
    default:
      return `writing in ${dir} failed: ${messageOf(e)}`;
  }
}
