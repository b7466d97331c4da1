import { m0001 } from './0001-runs.ts';
import { m0002 } from './0002-audit.ts';
import { m0003 } from './0003-stations.ts';
import { m0004 } from './0004-plant-indexes.ts';
import type { PgMigration } from './types.ts';

export type { PgMigration } from './types.ts';

/** In order; a version is never changed once released, only followed by a new one. */
export const PG_MIGRATIONS: readonly PgMigration[] = [m0001, m0002, m0003, m0004];
