import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StationFault } from '#contract/errors.ts';

export const ATTACHMENTS_DIR = 'attachments';
/** Where writes in progress are, under ATTACHMENTS_DIR (never a two-hex hash folder). */
const TMP_DIR = 'tmp';

/** What an export or an upload target reads attachments through: the bytes a hash names, checked against it. */
export interface AttachmentReader {
  /** Throws not-found when the station does not have them whole. */
  readChecked(sha256: string): Buffer;
}

/** What an import stores attachments through. */
export interface AttachmentWriter {
  /** Stores the bytes under their sha256 (computed here) and returns it. */
  put(bytes: Uint8Array): { sha256: string; size: number };
  has(sha256: string): boolean;
}

/**
 * Files attached to runs, stored once by content hash (sha256) under the data folder:
 * `attachments/ab/abcdef…`. A write is atomic (temporary name, fsync, check, rename), so a
 * crash or a full disk never leaves half a file under a hash.
 */
export class AttachmentStore implements AttachmentReader, AttachmentWriter {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, ATTACHMENTS_DIR);
  }

  pathOf(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Stores `bytes` under their hash. The file is written to a temporary name, checked
   * (every byte written, the sha256 read back) and renamed only when complete: a full
   * disk leaves nothing under a hash, and throws disk.full saying how far it got.
   */
  put(bytes: Uint8Array): { sha256: string; size: number } {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    // A file already there counts only if it is whole (an older version kept short writes).
    if (existsSync(path) && statSync(path).size === bytes.byteLength) return { sha256, size: bytes.byteLength };
    mkdirSync(join(this.root, sha256.slice(0, 2)), { recursive: true });
    mkdirSync(join(this.root, TMP_DIR), { recursive: true });
    // In one folder, named by the writer's pid: what a runner killed mid-write leaves is found
    // and known to be nobody's (sweepTemporary) without reading every hash folder.
    const tmp = join(this.root, TMP_DIR, `${sha256}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    let written = 0;
    try {
      const fd = openSync(tmp, 'w');
      try {
        // write(2) may write less than asked when the disk fills: go on until it refuses.
        while (written < bytes.byteLength) {
          const n = writeSync(fd, bytes, written, bytes.byteLength - written);
          if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          written += n;
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      const back = readFileSync(tmp);
      const check = createHash('sha256').update(back).digest('hex');
      if (back.byteLength !== bytes.byteLength || check !== sha256)
        throw new Error(`attachment could not be saved: the file read back (${back.byteLength} bytes, sha256 ${check.slice(0, 12)}…) is not what was written`);
      renameSync(tmp, path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never made */
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new StationFault('disk.full', `attachment could not be saved: disk full (${written} of ${bytes.byteLength} bytes written)`);
      if (code === 'EROFS') throw new StationFault('disk.full', 'attachment could not be saved: the disk is read-only');
      throw e;
    }
    return { sha256, size: bytes.byteLength };
  }

  /** The bytes of an attachment, refused if they are not the ones its hash names. */
  readChecked(sha256: string): Buffer {
    let bytes: Buffer;
    try {
      bytes = this.read(sha256);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StationFault('not-found', `no attachment ${sha256} on this station`);
      throw e;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw new StationFault('not-found', `attachment ${sha256} on this station is damaged (its content does not match its hash)`);
    return bytes;
  }

  /**
   * Removes temporary files whose writer is gone (a runner killed while writing, say, when a
   * full disk stops the run). A file of a live process is left: it may still become whole.
   * Returns how many were removed.
   */
  sweepTemporary(): number {
    const dir = join(this.root, TMP_DIR);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(/\.(\d+)-[0-9a-f]+\.tmp$/.exec(name)?.[1]);
      // This process writes synchronously, so a file named by it is never in progress.
      if (pid && pid !== process.pid && alive(pid)) continue;
      try {
        unlinkSync(join(dir, name));
        removed++;
      } catch {
        /* gone already */
      }
    }
    return removed;
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  read(sha256: string): Buffer {
    return readFileSync(this.pathOf(sha256));
  }

  size(sha256: string): number {
    return statSync(this.pathOf(sha256)).size;
  }

  remove(sha256: string): void {
    try {
      unlinkSync(this.pathOf(sha256));
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
