/**
 * audit.verify_100k_ms: `audit verify` over a trail of 100,000 entries in a real SQLite file
 * (opened read-only, as the CLI does): every hash recomputed, every link checked. The
 * entries are written through AuditLog.append in one transaction, with details the size a
 * station writes. Value: median of 7 runs after a warm-up; best and spread beside it.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '#station/store/db.ts';
import { AuditLog, verifyAuditFile } from '#station/store/audit.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const ENTRIES = 100_000;
const WARMUP = 1;
const SAMPLES = 7;

const dir = mkdtempSync(join(tmpdir(), 'passline-bench-audit-'));
try {
  const db = openDatabase(dir);
  const log = new AuditLog(db);
  const seedStart = performance.now();
  db.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < ENTRIES; i++) {
    const kind = i % 4;
    if (kind === 0)
      log.append({
        actor: 'SUP-1',
        action: 'upload.retry',
        details: { target: 'mes', reason: null, rows: [{ target: 'mes', runId: `0198c3a2-7b4e-7c1d-9f00-${String(i).padStart(12, '0')}` }] },
      });
    else if (kind === 1) log.append({ actor: '0042', action: 'session.loggedIn', details: { source: 'badge', socket: i % 4 } });
    else if (kind === 2)
      log.append({ actor: 'SUP-2', action: 'settings.changed', details: { diff: [{ path: 'uploadTargets[1].url', before: 'http://a', after: 'http://b' }] } });
    else
      log.append({
        actor: 'station',
        action: 'store.backup',
        procedureId: 'demo-board',
        details: { path: `/var/lib/passline/backups/b-${i}.db`, bytes: 1 << 20 },
      });
  }
  db.exec('COMMIT');
  const seedMs = performance.now() - seedStart;
  db.close();
  const path = join(dir, DB_FILE);

  const samples: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    const v = verifyAuditFile(path);
    const ms = performance.now() - t0;
    if (!v.ok || v.entries !== ENTRIES) throw new Error(`the seeded trail does not verify: ${JSON.stringify(v)}`);
    if (i >= WARMUP) samples.push(ms);
  }
  report('audit.verify_100k_ms', median(samples), 'ms', 500, {
    ...spreadOf(samples),
    entries: ENTRIES,
    seed_ms: Math.round(seedMs),
    file_mb: Math.round((statSync(path).size / 2 ** 20) * 10) / 10,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
