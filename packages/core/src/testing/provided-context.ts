// What test-support/global-setup.ts provides to integration tests (declared here too, because each
// package type-checks on its own). The database and Redis prefix of a test file are not provided:
// they are the file's own (test-support/per-file-setup.ts); read them with testDatabaseUrl() and
// testRedisPrefix() from ./db.ts.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    databasePrefix: string;
    redisUrl: string;
    redisPrefix: string;
    auditKey: string;
    auditCheckpointDir: string;
  }
}
