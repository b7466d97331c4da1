/** One numbered step of the plant database's schema. `sql(schema)` runs inside the migration's transaction. */
export interface PgMigration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}
