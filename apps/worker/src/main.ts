/**
 * Worker composition root: configuration, Redis, queues, heartbeat and graceful shutdown.
 * Queue processors register here as the reconcile engine, events and reports land.
 */
import { probeDatabase } from "@parapet/db";
import { loadEnv } from "./env.ts";
import { startRuntime } from "./runtime.ts";
import { describeConnectError } from "./startup-errors.ts";

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    console.error(`parapet-worker: ${(e as Error).message}`);
    process.exit(2);
  }
  try {
    await probeDatabase(env.DATABASE_URL);
  } catch (e) {
    console.error(`parapet-worker: ${describeConnectError(e, "DATABASE_URL", env.DATABASE_URL)}`);
    process.exit(2);
  }
  let runtime;
  try {
    runtime = await startRuntime(env);
  } catch (e) {
    console.error(`parapet-worker: ${describeConnectError(e, "REDIS_URL", env.REDIS_URL)}`);
    process.exit(2);
  }
  console.log(`parapet-worker ${runtime.id} ready: queues ${[...runtime.queues.keys()].join(", ")}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`parapet-worker ${runtime.id}: ${signal}, finishing current jobs`);
    // A hard deadline so a hung provider call cannot keep the process alive forever.
    setTimeout(() => process.exit(1), 30_000).unref();
    void runtime.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

void main();
