import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const ATTACHMENTS_DIR = 'attachments';

/**
 * Files attached to runs, stored once by content hash (sha256) under the data folder:
 * `attachments/ab/abcdef…`. A write is atomic (temporary name, fsync, rename), so a
 * crash never leaves half a file under a hash.
 */
export class AttachmentStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, ATTACHMENTS_DIR);
  }

  pathOf(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  put(bytes: Uint8Array): { sha256: string; size: number } {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (!existsSync(path)) {
      mkdirSync(join(this.root, sha256.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    }
    return { sha256, size: bytes.byteLength };
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
