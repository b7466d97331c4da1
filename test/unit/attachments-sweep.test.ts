import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { AttachmentStore } from '#station/store/attachments.ts';
import { tempDir } from '../helpers/paths.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

test('a half-written attachment of a process that is gone is removed; one of a live process stays', () => {
  const t = tempDir('passline-attach-');
  cleanups.push(t.remove);
  const store = new AttachmentStore(t.dir);
  const whole = store.put(Buffer.from('scope trace'));

  // A real process that has ended (its pid is free), and one still running.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout);
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  cleanups.push(() => live.kill('SIGKILL'));
  const sha = createHash('sha256').update('x').digest('hex');
  const tmp = join(t.dir, 'attachments', 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, `${sha}.${deadPid}-0a1b2c3d.tmp`), 'half');
  writeFileSync(join(tmp, `${sha}.${live.pid}-0a1b2c3d.tmp`), 'in progress');

  expect(store.sweepTemporary()).toBe(1);
  expect(readdirSync(tmp)).toEqual([`${sha}.${live.pid}-0a1b2c3d.tmp`]);
  // What is stored whole is never touched.
  expect(store.readChecked(whole.sha256).toString()).toBe('scope trace');

  live.kill('SIGKILL');
  // Not yet reaped is still alive to kill(0); wait for the exit before sweeping again.
  return new Promise<void>((resolve) => {
    live.on('exit', () => {
      expect(store.sweepTemporary()).toBe(1);
      expect(readdirSync(tmp)).toEqual([]);
      resolve();
    });
  });
});

test('a put leaves no temporary file and nothing outside the hash folders', () => {
  const t = tempDir('passline-attach-');
  cleanups.push(t.remove);
  const store = new AttachmentStore(t.dir);
  const { sha256 } = store.put(Buffer.alloc(100_000, 3));
  expect(existsSync(store.pathOf(sha256))).toBe(true);
  expect(readdirSync(join(t.dir, 'attachments', 'tmp'))).toEqual([]);
  expect(store.sweepTemporary()).toBe(0);
});

test('no attachments folder yet: nothing to sweep, no error', () => {
  const t = tempDir('passline-attach-');
  cleanups.push(t.remove);
  expect(new AttachmentStore(t.dir).sweepTemporary()).toBe(0);
});
