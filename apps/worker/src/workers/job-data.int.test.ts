/**
 * A job that can never succeed fails once, at once: an unknown job name or a payload its schema refuses
 * is not retried with backoff (before, both threw plain errors and BullMQ retried them to exhaustion).
 * Real Redis and BullMQ workers; the queue is this test's own prefix.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { Queue, QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import { bullPrefix, QUEUES } from "@parapet/core";
import { testPrisma, testRedisPrefix, uid } from "@parapet/core/testing/db";
import { createReportsWorker } from "./reports.worker.ts";
import { createNotificationsWorker } from "./notifications.worker.ts";

const prisma = testPrisma();
const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
const prefix = bullPrefix(`${testRedisPrefix()}job-data-${uid()}:`);
const config = {
  mailFrom: "Parapet <reports@parapet.test>",
  baseUrl: "http://127.0.0.1:3999",
  secret: "test-secret-for-unsubscribe-links-0123456789",
};
const closers: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await redis.quit();
});

/** Adds a job that may be tried 4 times with backoff, and waits until BullMQ stops trying it. */
async function failedFor(queueName: string, name: string, data: unknown): Promise<Job> {
  const queue = new Queue(queueName, { connection: redis, prefix });
  const events = new QueueEvents(queueName, { connection: redis.duplicate(), prefix });
  closers.push(
    () => queue.close(),
    () => events.close(),
  );
  await events.waitUntilReady();
  const job = await queue.add(name, data, { attempts: 4, backoff: { type: "fixed", delay: 200 } });
  await job.waitUntilFinished(events, 20_000).catch(() => undefined);
  // Long enough for a retry (200 ms backoff) to have started, had there been one.
  await new Promise((r) => setTimeout(r, 800));
  return (await queue.getJob(job.id!))!;
}

describe("jobs that cannot succeed are not retried", () => {
  const reports = createReportsWorker({ prisma, connection: redis, prefix, config, concurrency: 1 });
  const notifications = createNotificationsWorker({ prisma, connection: redis, prefix, config, concurrency: 1 });
  closers.push(
    () => reports.close(),
    () => notifications.close(),
  );

  it("an unknown job name fails after one attempt, and says so", async () => {
    const job = await failedFor(QUEUES.reports, "reports.no-such-job", {});
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^reports: unknown job reports\.no-such-job .*not retried$/);
  });

  it("a payload its schema refuses fails after one attempt, naming the field", async () => {
    const job = await failedFor(QUEUES.notifications, "notifications.send-email", { deliveryId: 42 });
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/invalid payload \(deliveryId: /);
  });
});
