/**
 * The PostgreSQL server's maintenance connection, as the test setup uses it: global-setup.ts creates,
 * migrates and drops the run's databases with it, per-file-setup.ts clones and drops each file's.
 */
import pg from "pg";

export function databaseUrlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
