/**
 * Seeds a station's data dir with finished runs through the station's own store
 * (real SQLite, real repository), for screens that need more runs than a test can
 * afford to run one by one. Usage: node test/e2e/seed-runs.ts DATA_DIR COUNT
 */
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';

const [dataDir, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!dataDir || !Number.isInteger(count) || count < 1) {
  console.error('usage: node test/e2e/seed-runs.ts DATA_DIR COUNT');
  process.exit(2);
}

const db = openDatabase(dataDir);
const repo = new RunsRepo(db);
const procedure = { id: 'demo-board', name: 'Demo board functional test', version: '1.0.0', hash: 'seed'.padEnd(64, '0') };
// One run a minute, the last one an hour ago.
const t0 = Date.now() - 3_600_000 - count * 60_000;
for (let i = 1; i <= count; i++) {
  const startedAt = new Date(t0 + i * 60_000).toISOString();
  const endedAt = new Date(t0 + i * 60_000 + 2_000).toISOString();
  const id = `seed-${String(i).padStart(4, '0')}`;
  repo.insertRun({
    id,
    stationId: 'station-1',
    socket: 0,
    appVersion: '0.1.0',
    procedure,
    unit: { serialNumber: `SEED-${String(i).padStart(4, '0')}` },
    startedAt,
  });
  const outcome = i % 7 === 0 ? 'FAIL' : 'PASS';
  repo.finishRun(id, { outcome, endedAt, durationMs: 2_000 }, [], []);
}
db.close();
