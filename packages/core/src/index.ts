export * from "./common/errors.ts";
export * from "./common/crypto.ts";
export * from "./identity/roles.ts";
export * from "./jobs/queues.ts";
