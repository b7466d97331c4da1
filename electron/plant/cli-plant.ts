/**
 * `passline plant --database URL [--port P] [--host H] [--schema S] [--data-dir D]`: the plant
 * view over the plant database (every station's PostgreSQL target), served to browsers with the
 * station's login and roles. Runs until stopped (Ctrl-C, SIGTERM).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PlantClientFrameSchema } from '#contract/plant.ts';
import { bindProblem, startServer } from '#server/server.ts';
import { createPlant } from './plant.ts';

export const DEFAULT_PLANT_PORT = 4790;

export function defaultPlantDataDir(): string {
  return process.env.PASSLINE_PLANT_DATA_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'passline-plant');
}

export const PLANT_USAGE = `usage: passline plant --database URL [options]
  serves the plant view (the line, a unit's life across stations) over the plant database
  --database URL   postgres://user:password@host:port/db, the database the stations' PostgreSQL
                   targets write (or set PASSLINE_PLANT_DATABASE, which keeps the password out of ps)
  --schema S       the schema the stations write (default passline)
  --port P         default ${DEFAULT_PLANT_PORT}; 0 picks a free one
  --host H         default 127.0.0.1; any other address needs --tls-cert and --tls-key
  --tls-cert FILE, --tls-key FILE   PEM files: HTTPS and WSS
  --data-dir D     the plant's people, tokens and audit trail (default: ${defaultPlantDataDir()})
exit code: 0 stopped, 2 a usage problem or the database cannot be reached`;

export async function plantMain(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        database: { type: 'string' },
        schema: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`passline: ${(e as Error).message}\n${PLANT_USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    console.log(PLANT_USAGE);
    return 0;
  }
  const database = v.database ?? process.env.PASSLINE_PLANT_DATABASE;
  if (!database || !/^postgres(ql)?:\/\//.test(database)) {
    console.error(`passline: --database: expected postgres://… (the plant database)\n${PLANT_USAGE}`);
    return 2;
  }
  const port = v.port === undefined ? DEFAULT_PLANT_PORT : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`passline: --port ${v.port}: expected a port number 0-65535`);
    return 2;
  }
  const host = v.host ?? '127.0.0.1';
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    console.error('passline: --tls-cert and --tls-key go together');
    return 2;
  }
  const tls = v['tls-cert'] && v['tls-key'] ? { cert: v['tls-cert'], key: v['tls-key'] } : undefined;
  const problem = bindProblem(host, tls);
  if (problem) {
    console.error(`passline: ${problem.replace('Set tls.cert and tls.key in settings (PEM files), restart', 'Pass --tls-cert and --tls-key (PEM files)')}`);
    return 2;
  }
  const dataDir = v['data-dir'] ?? defaultPlantDataDir();
  const t0 = performance.now();
  let plant;
  try {
    plant = await createPlant({ databaseUrl: database, schema: v.schema ?? 'passline', dataDir });
  } catch (e) {
    console.error(`passline: ${(e as Error).message}`);
    return 2;
  }
  const server = await startServer(plant, {
    host,
    port,
    tls,
    frames: PlantClientFrameSchema,
    indexFile: 'plant.html',
    staticDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
  });
  // Tests and scripts wait for this exact line.
  console.log(`Passline plant ready at ${server.url} (schema ${v.schema ?? 'passline'}, data in ${dataDir}, ${Math.round(performance.now() - t0)} ms)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await plant.close();
  return 0;
}
