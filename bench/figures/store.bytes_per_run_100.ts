/** store.bytes_per_run_100: database size per stored run of 100 measurements (10 phases x 10), over 2000 runs. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedStore } from '../lib/seed.ts';
import { report } from '../lib/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
seedStore(dir, 2000, 10, 10);
const bytes = statSync(join(dir, 'passline.db')).size;
rmSync(dir, { recursive: true, force: true });
report('store.bytes_per_run_100', bytes / 2000, 'bytes', null, { runs: 2000 });
