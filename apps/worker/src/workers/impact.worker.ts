/**
 * Audit-log replays (would-have-blocked): one ImpactReport per job. Concurrency 1 per worker process:
 * a replay reads the cloud's audit log at its low rate limit and judges up to millions of events, so
 * two at once would only share the same limits and the same CPU. The same queue polls every
 * connection's audit log for refused calls once a minute (`impact.denials`, denial attribution), and
 * one connection's at once when a cloud event for it arrives (`impact.denials-connection`).
 */
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { denialPollPendingKey, jobData, jobProcessor, QUEUES, ZDenialPollJob, ZImpactReplayJob, ZPostureScanJob } from "@parapet/core";
import { runPostureScan } from "@parapet/core/posture/run-posture-scan";
import { runImpactReport, type RunImpactDeps } from "@parapet/core/impact/run-impact";
import { pollAllDenials, pollDenials } from "@parapet/core/denials/attribute-denials";
import type { Logger } from "@parapet/core/common/logger";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface ImpactWorkerDeps extends RunImpactDeps {
  bullPrefix: string;
  /** Where the event path's pending flags live (requestDenialPoll); the minute poll needs neither. */
  redis: Redis;
  redisPrefix: string;
  logger?: Logger;
}

/**
 * The event path's poll of one connection: reads while the pending flag keeps being set (events that
 * arrived during a read), at most a few rounds (a storm that never stops is the minute poll's to follow).
 */
async function processDenialPoll(deps: ImpactWorkerDeps, data: unknown): Promise<{ rounds: number; denied: number }> {
  const { connectionId } = jobData(QUEUES.impact, ZDenialPollJob, { name: "impact.denials-connection", data });
  const key = denialPollPendingKey(deps.redisPrefix, connectionId);
  let denied = 0;
  let rounds = 0;
  while (rounds < 5) {
    const flag = await deps.redis.getdel(key);
    if (rounds > 0 && flag === null) break;
    rounds++;
    denied += (await pollDenials(deps, connectionId)).denied;
  }
  return { rounds, denied };
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
        "impact.denials-connection": (payload) => processDenialPoll(deps, payload),
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
