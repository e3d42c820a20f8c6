export * from "./types.ts";
export * from "./audit.ts";
export * from "./errors.ts";
export * from "./retry.ts";
export * from "./instrumentation.ts";
export * from "./canonical.ts";
export * from "./public-message.ts";
export * from "./posture.ts";
