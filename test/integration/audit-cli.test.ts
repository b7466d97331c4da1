/**
 * `passline audit verify` as a user runs it: a real child process of the CLI on a real
 * station database, then the same file after a tamperer changed one row by hand.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DB_FILE, openDatabase } from '#station/store/db.ts';
import { AuditLog } from '#station/store/audit.ts';
import { InventoryRepo } from '#station/store/inventory-repo.ts';
import { tempDir } from '../helpers/paths.ts';
import { passline } from '../helpers/cli.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A station's data folder with a trail written the way the station writes it. */
function stationDir(entries: number): string {
  const t = tempDir('passline-audit-cli-');
  cleanups.push(t.remove);
  const db = openDatabase(t.dir);
  const inv = new InventoryRepo(db);
  inv.setCalibration({ maker: 'Passline Sim', model: 'PSU-3303S', serial: 'SIM0002', dueDate: '2030-01-31' }, 'SUP-1');
  const log = new AuditLog(db);
  for (let i = 2; i <= entries; i++) log.append({ actor: i % 2 ? 'SUP-1' : '0042', action: i % 2 ? 'upload.retry' : 'operator.login', details: { i } });
  db.close();
  return t.dir;
}

describe('passline audit verify', () => {
  test('an intact trail: exit 0 and the count; then a row changed by hand: exit 1 naming that entry', async () => {
    const dir = stationDir(25);
    const ok = await passline('audit', 'verify', '--data-dir', dir);
    expect(ok).toMatchObject({ code: 0, stdout: 'audit trail intact: 25 entries (gaps: none)\n', stderr: '' });

    // The tamperer: drops the trigger that refuses changes and rewrites entry 17's details.
    const db = new DatabaseSync(join(dir, DB_FILE));
    expect(() => db.exec(`UPDATE audit SET details = '{"i":170}' WHERE id = 17`)).toThrow(/append-only/);
    db.exec('DROP TRIGGER audit_no_update');
    db.exec(`UPDATE audit SET details = '{"i":170}' WHERE id = 17`);
    db.close();

    const broken = await passline('audit', 'verify', '--data-dir', dir);
    expect(broken).toMatchObject({
      code: 1,
      stdout: 'audit trail broken at entry 17: its content does not match its hash: it was changed after it was written\n',
    });
  }, 60_000);

  test('a row removed by hand: exit 1 naming the entry after the hole', async () => {
    const dir = stationDir(10);
    const db = new DatabaseSync(join(dir, DB_FILE));
    db.exec('DROP TRIGGER audit_no_delete');
    db.exec('DELETE FROM audit WHERE id IN (4, 5)');
    db.close();
    const r = await passline('audit', 'verify', '--data-dir', dir);
    expect(r).toMatchObject({ code: 1, stdout: 'audit trail broken at entry 6: entries 4–5 are missing, and no salvage of the database explains them\n' });
  }, 60_000);

  test('no database in the folder, or no such command: exit 2 with one clear line', async () => {
    const t = tempDir('passline-audit-cli-empty-');
    cleanups.push(t.remove);
    const none = await passline('audit', 'verify', '--data-dir', t.dir);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`passline: no station database in ${t.dir} (looked for ${join(t.dir, DB_FILE)}); pass --data-dir\n`);

    const usage = await passline('audit', 'check');
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe('passline: expected "audit verify"');
  }, 60_000);
});
