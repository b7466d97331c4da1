import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file atomically: a hidden temp file beside it (`.<name>.<pid>.tmp`, which no
 * watcher of ours takes for the file), synced, renamed over it, then the folder synced. A power
 * cut leaves the old file or the new one, never half of one. By hand rather than through conf:
 * its writer installs process-wide signal handlers that raise Ctrl-C a second time.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some systems (Windows) cannot sync a folder; the rename itself is still atomic.
  }
}
