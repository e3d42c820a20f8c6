// What test-support/global-setup.ts provides to integration tests (declared here too, because each
// package type-checks on its own).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
    auditKey: string;
    auditCheckpointDir: string;
  }
}
