/**
 * The real plant process as a child: `node electron/station/cli.ts plant --database URL --port 0
 * --data-dir D`, ready when it prints its URL, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StationProcess } from './station.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'electron', 'station', 'cli.ts');
const READY = /Passline plant ready at (\S+)/;

export class PlantProcess {
  readonly url: string;
  readonly dataDir: string;
  private readonly child: ChildProcess;
  private readonly output: string[];

  private constructor(child: ChildProcess, url: string, dataDir: string, output: string[]) {
    this.child = child;
    this.url = url;
    this.dataDir = dataDir;
    this.output = output;
  }

  static start(databaseUrl: string, opts: { schema?: string } = {}): Promise<PlantProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'passline-plant-e2e-'));
    const child = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        CLI,
        'plant',
        '--database',
        databaseUrl,
        '--port',
        '0',
        '--data-dir',
        dataDir,
        ...(opts.schema ? ['--schema', opts.schema] : []),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the plant did not print its ready line:\n${output.join('')}`));
      }, 20_000);
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (c: string) => output.push(c));
      child.stdout!.on('data', (c: string) => {
        output.push(c);
        const m = READY.exec(output.join(''));
        if (m) {
          clearTimeout(timer);
          resolve(new PlantProcess(child, m[1]!, dataDir, output));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the plant exited (${signal ?? code}) before it was ready:\n${output.join('')}`));
      });
    });
  }

  get log(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A headless station whose PostgreSQL target is the plant database, with a 1 s heartbeat. */
export async function startPlantStation(databaseUrl: string, who: { id: string; name: string; line: string }, args: string[] = []): Promise<StationProcess> {
  const dataDir = StationProcess.freshDataDir();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      stationId: who.id,
      stationName: who.name,
      stationLine: who.line,
      heartbeatSeconds: 1,
      uploadTargets: [{ id: 'plant', kind: 'postgres', connectionString: databaseUrl, timeoutMs: 2000 }],
      uploadRetry: { firstDelayMs: 100, maxDelayMs: 1000 },
    }),
  );
  return StationProcess.start({ dataDir, args });
}
