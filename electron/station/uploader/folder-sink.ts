import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from '#contract/records.ts';
import { formatRunChunks, runFileName } from '#station/formats/transfer.ts';
import type { FolderTarget } from './targets.ts';
import { delivered, messageOf, park, retryTarget, type Delivery, type Sink } from './sink.ts';

/**
 * Folder drop: one file per run, written whole or not at all. The bytes go to a
 * hidden temporary name in the same folder, are flushed to the disk (fsync), then
 * renamed to the final name, and the folder itself is flushed: a watcher (an MES)
 * never sees a half-written file, and a run delivered twice (after a crash) lands
 * on the same name, so the folder still holds it once.
 */
export class FolderSink implements Sink {
  readonly label: string;
  private readonly dir: string;
  private readonly format: FolderTarget['format'];

  constructor(target: FolderTarget) {
    this.dir = target.path;
    this.format = target.format;
    this.label = `${target.path} (${target.format})`;
  }

  async deliver(rec: RunRecord): Promise<Delivery> {
    let text: string[];
    try {
      text = formatRunChunks(rec, this.format);
    } catch (e) {
      // The same record would fail the same way every time.
      return park(`cannot write run as ${this.format}: ${messageOf(e)}`);
    }
    const name = runFileName(rec, this.format);
    const final = join(this.dir, name);
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
      await syncDir(this.dir);
      return delivered;
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      return retryTarget(describeFsError(e, this.dir));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
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
