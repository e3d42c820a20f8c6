/**
 * Audit-log replays (would-have-blocked): one ImpactReport per job. Concurrency 1 per worker process:
 * a replay reads the cloud's audit log at its low rate limit and judges up to millions of events, so
 * two at once would only share the same limits and the same CPU. The same queue polls every
 * connection's audit log for refused calls once a minute (`impact.denials`, denial attribution).
 */
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { jobData, jobProcessor, QUEUES, ZImpactReplayJob, ZPostureScanJob } from "@parapet/core";
import { runPostureScan } from "@parapet/core/posture/run-posture-scan";
import { runImpactReport, type RunImpactDeps } from "@parapet/core/impact/run-impact";
import { pollAllDenials } from "@parapet/core/denials/attribute-denials";
import type { Logger } from "@parapet/core/common/logger";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface ImpactWorkerDeps extends RunImpactDeps {
  bullPrefix: string;
  logger?: Logger;
}

async function processImpactJob(deps: RunImpactDeps, data: unknown): Promise<unknown> {
  const job = jobData(QUEUES.impact, ZImpactReplayJob, { name: "impact.replay", data });
  const r = await runImpactReport(deps, job.reportId);
  return r.summary
    ? { status: r.status, events: r.summary.events, denied: r.summary.denied, lockouts: r.summary.lockouts.length }
    : { status: r.status };
}

export function createImpactWorker(deps: ImpactWorkerDeps, connection: Redis): Worker {
  const worker = new Worker(
    QUEUES.impact,
    loggedProcessor(
      jobProcessor(QUEUES.impact, {
        "impact.replay": (payload) => processImpactJob(deps, payload),
        "posture.scan": (payload) =>
          runPostureScan(deps, jobData(QUEUES.impact, ZPostureScanJob, { name: "posture.scan", data: payload }).scanId),
        "impact.denials": () => pollAllDenials(deps),
      }),
      {
        logger: deps.logger,
      },
    ),
    { connection, prefix: deps.bullPrefix, concurrency: 1 },
  );
  logOtherFailures(worker, deps.logger);
  return worker;
}
