/**
 * Worker composition root: configuration, Redis, queues, heartbeat, the provider registry, the
 * queue processors and schedules, and graceful shutdown (finish current jobs, then close).
 */
import { Redis } from "ioredis";
import type { Worker } from "bullmq";
import { createPrisma, probeDatabase } from "@parapet/db";
import { bullPrefix, describeConnectError, parseMasterKey, QUEUES, scheduleJob, type Keyring } from "@parapet/core";
import { auditConfigFromEnv, configureAudit } from "@parapet/core/audit/audit-keys";
import { checkpointAll } from "@parapet/core/audit/checkpoints";
import { configureLogging, rootLogger } from "@parapet/core/common/logger";
import { loadEnv } from "./env.ts";
import { EgressGuard, installGlobalEgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { adapterFor, configureEgress } from "./providers.ts";
import { startRuntime } from "./runtime.ts";
import { shutdownWorker } from "./shutdown.ts";
import { QUEUE_WORKERS } from "./workers/queue-workers.ts";

configureLogging({ service: "worker" });

function fail(message: string): never {
  // Synchronous destination (common/logger.ts): the line is out before the exit.
  rootLogger().fatal(`parapet-worker: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    fail((e as Error).message);
  }
  configureLogging({ level: env.LOG_LEVEL });
  const logger = rootLogger();
  let allowlist;
  try {
    allowlist = parseEgressAllowlist(env.PARAPET_ENDPOINT_ALLOWLIST);
  } catch (e) {
    fail(`configuration: ${(e as Error).message}`);
  }
  // Every cloud SDK connection passes the egress guard; google-gax 4 (Org Policy) only through node's
  // default agents, hence the process-wide install. Refusals are logged with their reason; users see
  // a fixed text (publicMessage).
  const guard = new EgressGuard({ allowlist, onRefused: (host, reason) => logger.warn({ host, reason }, "egress refused") });
  configureEgress(guard);
  installGlobalEgressGuard(guard);
  if (!env.PARAPET_MASTER_KEY)
    fail("configuration: PARAPET_MASTER_KEY is required (base64 of 32 random bytes) to decrypt cloud credentials");
  let keys: Keyring;
  try {
    const current = parseMasterKey(env.PARAPET_MASTER_KEY_ID, env.PARAPET_MASTER_KEY);
    keys = { current, all: [current] };
  } catch (e) {
    fail(`configuration: PARAPET_MASTER_KEY: ${(e as Error).message}`);
  }
  try {
    configureAudit(auditConfigFromEnv(env));
  } catch (e) {
    fail((e as Error).message);
  }
  try {
    await probeDatabase(env.DATABASE_URL);
  } catch (e) {
    fail(describeConnectError(e, "DATABASE_URL", env.DATABASE_URL));
  }
  let runtime;
  try {
    runtime = await startRuntime(env);
  } catch (e) {
    fail(describeConnectError(e, "REDIS_URL", env.REDIS_URL));
  }
  const prisma = createPrisma({ url: env.DATABASE_URL, max: env.PARAPET_WORKER_CONCURRENCY + 4 });
  const workerConnection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = bullPrefix(env.PARAPET_REDIS_PREFIX);
  const common = { prisma, keys, adapterFor, workerId: runtime.id, bullPrefix: prefix };
  const workers: Worker[] = [
    QUEUE_WORKERS.reconcile(
      {
        ...common,
        leaseMs: env.PARAPET_RECONCILE_LEASE_SEC * 1000,
        redis: runtime.redis,
        redisPrefix: env.PARAPET_REDIS_PREFIX,
        concurrency: env.PARAPET_WORKER_CONCURRENCY,
        fullDiscoveryIntervalSec: env.PARAPET_FULL_DISCOVERY_EVERY_SEC,
        reconcileQueue: runtime.queues.get(QUEUES.reconcile)!,
      },
      workerConnection,
    ),
    QUEUE_WORKERS.discovery(common, workerConnection),
    QUEUE_WORKERS.impact({ ...common, redis: runtime.redis, redisPrefix: env.PARAPET_REDIS_PREFIX }, workerConnection),
    QUEUE_WORKERS.rollouts(
      {
        ...common,
        queues: {
          reconcile: runtime.queues.get(QUEUES.reconcile)!,
          discovery: runtime.queues.get(QUEUES.discovery)!,
          impact: runtime.queues.get(QUEUES.impact)!,
        },
        redis: runtime.redis,
        redisPrefix: env.PARAPET_REDIS_PREFIX,
      },
      workerConnection,
    ),
  ];
  const reportsConfig = {
    smtpUrl: env.PARAPET_SMTP_URL,
    mailFrom: env.PARAPET_MAIL_FROM,
    baseUrl: env.PARAPET_BASE_URL,
    secret: env.PARAPET_AUTH_SECRET ?? "",
  };
  const reports = QUEUE_WORKERS.reports({ prisma, connection: workerConnection, prefix, config: reportsConfig });
  // Alert receivers are anyone's public hosts; loopback/private addresses only if the operator allowlists them.
  const alertsGuard = new EgressGuard({
    allowlist,
    anyPublicHost: true,
    onRefused: (host, reason) => logger.warn({ host, reason }, "alert egress refused"),
  });
  workers.push(
    reports.worker,
    QUEUE_WORKERS.notifications({
      prisma,
      connection: workerConnection,
      prefix,
      config: reportsConfig,
      alerts: {
        keys,
        dispatcher: alertsGuard.dispatcher(),
        ...(env.PARAPET_PAGERDUTY_EVENTS_URL ? { pagerDutyUrl: env.PARAPET_PAGERDUTY_EVENTS_URL } : {}),
      },
    }),
  );
  // Alerts: route events and queue due deliveries every two seconds (also what recovers jobs Redis lost).
  await scheduleJob(runtime.queues.get(QUEUES.notifications)!, "notifications.tick", {});
  await scheduleJob(runtime.queues.get(QUEUES.notifications)!, "notifications.scan", {});
  // Denial attribution: each connection's audit log read for refused calls once a minute (unless configured);
  // a cloud event also asks for its connection's read at once (the event path).
  await scheduleJob(runtime.queues.get(QUEUES.impact)!, "impact.denials", {}, { every: env.PARAPET_DENIALS_TICK_SEC * 1000 });
  // One tick for all connections: each tick requests reconciles for connections whose interval passed.
  await scheduleJob(runtime.queues.get(QUEUES.reconcile)!, "reconcile.poll-tick", {});
  // Staged rollouts advance (or halt) once a tick (a minute unless configured).
  await scheduleJob(runtime.queues.get(QUEUES.rollouts)!, "rollouts.advance", {}, { every: env.PARAPET_ROLLOUTS_TICK_SEC * 1000 });
  // Report schedules follow the database (a new workspace, a changed time zone); re-synced hourly too.
  await reports.syncReportSchedules().catch((e: unknown) => logger.error({ err: e }, "report schedule sync failed"));
  // Signed audit chain heads outside the database, so a deleted tail or a replaced chain shows (checkpoints.ts).
  const checkpoint = () =>
    checkpointAll(prisma).then(
      (r) => {
        if (r.broken.length)
          logger.error({ written: r.written, broken: r.broken }, "audit checkpoints: chain broken, those workspaces not checkpointed");
        else if (r.written) logger.info({ written: r.written }, "audit checkpoints written");
      },
      (e: unknown) => logger.error({ err: e }, "audit checkpoints failed"),
    );
  const checkpointTimer = setInterval(() => void checkpoint(), env.PARAPET_AUDIT_CHECKPOINT_EVERY_SEC * 1000);
  checkpointTimer.unref();
  void checkpoint();
  logger.info(
    { workerId: runtime.id, queues: [...runtime.queues.keys()] },
    `parapet-worker ${runtime.id} ready: queues ${[...runtime.queues.keys()].join(", ")}`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void shutdownWorker(
      { workerId: runtime.id, workers, runtime, workerConnection, prisma, deadlineMs: env.PARAPET_SHUTDOWN_TIMEOUT_MS, logger },
      signal,
    ).then((code) => process.exit(code));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

void main();
