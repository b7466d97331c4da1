import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a station keeps its data unless told (--data-dir): the headless station and the CLI agree. */
export function defaultDataDir(): string {
  return process.env.PASSLINE_DATA_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'passline');
}
