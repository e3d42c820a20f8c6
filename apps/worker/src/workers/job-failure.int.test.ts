/**
 * Issue 14: a provider error that retrying cannot fix (bad credentials, an invalid request, a limit)
 * ends its job at once instead of being retried to exhaustion, with the same failure reason; a
 * retryable one (throttled, unavailable) still gets the job's attempts. Every job writes its start
 * and end as JSON log lines carrying its job id and connection id. Real Redis, real BullMQ workers,
 * the real connection worker against the AWS simulator through the real SDK.
 */
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { Queue, QueueEvents, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { AWS_SIM_DEFAULT_CREDENTIALS, seedAwsOrg, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { bullPrefix, enqueueConnectionTask, QUEUES } from "@parapet/core";
import { createLogger, type Logger } from "@parapet/core/common/logger";
import { testRedisPrefix, uid } from "@parapet/core/testing/db";
import { captureLogLines, type TLogLine } from "@parapet/core/testing/log-capture";
import { providerError } from "@parapet/providers/contract";
import { loggedProcessor } from "../job-log.ts";
import { reconcileHarness } from "../testing/reconcile-harness.ts";
import { createConnectionWorker } from "./connections.worker.ts";

const h = reconcileHarness();
const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
const prefix = bullPrefix(`${testRedisPrefix()}job-failure-${uid()}:`);
const closers: Array<() => Promise<unknown>> = [];
let sim: AwsSim;

beforeAll(async () => {
  sim = await startAwsSim({ throttle: false, seed: 3 });
  seedAwsOrg(sim, { accounts: 3, ous: 2, depth: 1, seed: 3 });
});

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await sim?.close();
  await redis.quit();
});

/** A logger writing to an array of parsed lines (the destination every logger of the apps takes). */
function capturedLogger(): { logger: Logger; lines: TLogLine[] } {
  const { destination, lines } = captureLogLines();
  return { logger: createLogger({ destination, service: "worker" }), lines };
}

/** A queue and its events on this file's prefix. */
async function queueOf(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
  const queue = new Queue(name, { connection: redis, prefix });
  const events = new QueueEvents(name, { connection: redis.duplicate(), prefix });
  closers.push(
    () => queue.close(),
    () => events.close(),
  );
  await events.waitUntilReady();
  return { queue, events };
}

/** Waits until BullMQ has finished with the job (completed, or failed for good: no attempt is left pending). */
async function settled(queue: Queue, events: QueueEvents, job: Job): Promise<Job> {
  await job.waitUntilFinished(events, 60_000).catch(() => undefined);
  return (await queue.getJob(job.id!))!;
}

describe("provider errors in jobs", () => {
  it("a non-retryable provider error fails after one attempt; a retryable one uses every attempt; the reason is the error's message", async () => {
    const name = `probe-${uid()}`;
    const { queue, events } = await queueOf(name);
    const { logger, lines } = capturedLogger();
    const thrown = {
      auth: providerError("auth", "ListRoots", "auth: the credentials were refused (InvalidClientTokenId)", "InvalidClientTokenId"),
      throttled: providerError(
        "throttled",
        "ListRoots",
        "throttled: the cloud asked us to slow down (TooManyRequestsException)",
        "TooManyRequestsException",
      ),
      invalid: providerError("invalid", "CreatePolicy", "invalid: the policy document was refused (MalformedPolicyDocumentException)"),
    } as const;
    const worker = new Worker(
      name,
      loggedProcessor((job: Job) => Promise.reject(thrown[job.name as keyof typeof thrown]), { logger }),
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix, concurrency: 3 },
    );
    closers.push(() => worker.close());
    const opts = { attempts: 3, backoff: { type: "fixed", delay: 50 } };
    const [auth, throttled, invalid] = await Promise.all(
      (["auth", "throttled", "invalid"] as const).map(async (kind) =>
        settled(queue, events, await queue.add(kind, { connectionId: `conn_${kind}` }, opts)),
      ),
    );
    for (const [job, kind] of [
      [auth, "auth"],
      [throttled, "throttled"],
      [invalid, "invalid"],
    ] as const) {
      expect(await job!.getState(), kind).toBe("failed");
      expect(job!.failedReason, kind).toBe(thrown[kind].message);
    }
    expect(auth!.attemptsMade).toBe(1);
    expect(invalid!.attemptsMade).toBe(1);
    expect(throttled!.attemptsMade).toBe(3);
    // One failure line per attempt: the last at error, earlier retryable ones at warn, each with its job.
    const failures = lines.filter((l) => l.msg === "job failed");
    expect(failures.map((l) => [l.job, l.attempt, l.level, l.willRetry]).sort()).toEqual([
      ["auth", 1, "error", false],
      ["invalid", 1, "error", false],
      ["throttled", 1, "warn", true],
      ["throttled", 2, "warn", true],
      ["throttled", 3, "error", false],
    ]);
    const authLine = failures.find((l) => l.job === "auth")!;
    expect(authLine).toMatchObject({ jobId: auth!.id, queue: name, connectionId: "conn_auth" });
    // The classification is in the operator's line.
    expect(authLine.err).toMatchObject({ kind: "auth", retryable: false, code: "InvalidClientTokenId" });
  });

  it("the real connection worker: refused credentials end a discover at once, and its lines carry the job and connection ids", async () => {
    const { connectionId } = await h.connect({
      cloud: "aws",
      endpoint: sim.url,
      credentials: {
        kind: "access-keys",
        accessKeyId: AWS_SIM_DEFAULT_CREDENTIALS.accessKeyId,
        secretAccessKey: "not/the/right/secret/key/at/all/0000000000",
      },
      facts: { orgId: sim.state.orgId, managementAccountId: sim.state.managementAccountId },
    });
    const { queue, events } = await queueOf(QUEUES.discovery);
    const { logger, lines } = capturedLogger();
    const worker = createConnectionWorker({ ...h.deps(), bullPrefix: prefix, logger }, redis.duplicate({ maxRetriesPerRequest: null }));
    // Closed at the end of the test, so the next test's worker is the only one on the queue.
    onTestFinished(() => worker.close());
    // The product's own enqueue: 2 attempts with backoff, so a retry would show.
    const jobId = await enqueueConnectionTask(queue, { connectionId, task: "discover" });
    const job = await settled(queue, events, (await queue.getJob(jobId))!);
    expect(await job.getState()).toBe("failed");
    expect(job.opts.attempts).toBe(2);
    expect(job.attemptsMade).toBe(1);
    // The classified, user-facing message the provider wrote: what the job's failure reason always was.
    expect(job.failedReason).toMatch(/rejected the connection's credentials \(InvalidSignatureException\)/);
    const mine = lines.filter((l) => l.jobId === jobId);
    expect(mine.map((l) => l.msg)).toEqual(["job started", "job failed"]);
    for (const l of mine)
      expect(l).toMatchObject({ queue: QUEUES.discovery, job: "connections.task", connectionId, attempt: 1, service: "worker" });
    expect(mine[1]).toMatchObject({ level: "error", willRetry: false, err: { kind: "auth", retryable: false } });
    expect(mine[1]!.durationMs).toEqual(expect.any(Number));
    // The wrong secret the job used is in no line.
    expect(JSON.stringify(lines)).not.toContain("not/the/right/secret");
  });

  it("a job that succeeds logs its start and its end with durationMs, under its job and connection ids", async () => {
    const { connectionId } = await h.connect({
      cloud: "aws",
      endpoint: sim.url,
      credentials: { kind: "access-keys", ...AWS_SIM_DEFAULT_CREDENTIALS },
      facts: { orgId: sim.state.orgId, managementAccountId: sim.state.managementAccountId },
    });
    const { queue, events } = await queueOf(QUEUES.discovery);
    const { logger, lines } = capturedLogger();
    const worker = createConnectionWorker({ ...h.deps(), bullPrefix: prefix, logger }, redis.duplicate({ maxRetriesPerRequest: null }));
    // Closed at the end of the test, so the next test's worker is the only one on the queue.
    onTestFinished(() => worker.close());
    // A completed connection task is removed at once (removeOnComplete): wait for its event, heard before it is added.
    const jobId = `task__${connectionId}__discover`;
    const completed = new Promise<void>((resolve) => events.on("completed", (e) => e.jobId === jobId && resolve()));
    expect(await enqueueConnectionTask(queue, { connectionId, task: "discover" })).toBe(jobId);
    await completed;
    const mine = lines.filter((l) => l.jobId === jobId);
    expect(mine.map((l) => [l.msg, l.level])).toEqual([
      ["job started", "info"],
      ["job finished", "info"],
    ]);
    for (const l of mine) expect(l).toMatchObject({ queue: QUEUES.discovery, connectionId, attempt: 1 });
    expect(mine[1]!.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain(AWS_SIM_DEFAULT_CREDENTIALS.secretAccessKey);
  });
});
