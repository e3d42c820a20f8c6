export * from "./common/errors.ts";
export * from "./common/crypto.ts";
export * from "./identity/roles.ts";
export * from "./jobs/queues.ts";
export * from "./jobs/definitions.ts";
export * from "./jobs/enqueue.ts";
export * from "./connections/secrets.ts";
export * from "./events/parse-event.ts";
