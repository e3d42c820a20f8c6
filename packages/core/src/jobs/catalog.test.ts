/**
 * The job catalog is complete and consistent: every job runs on a queue that exists, every queue has
 * jobs, names and ids keep their shipped spelling (they are never renamed), and a worker's handler
 * map must match its queue's jobs exactly (in the types and again when the worker is built).
 */
import { describe, expect, it } from "vitest";
import { UnrecoverableError, type Job } from "bullmq";
import { ALL_JOB_NAMES, JOBS, jobNamesOf, jobSpec, type JobName } from "./catalog.ts";
import { jobProcessor } from "./job-data.ts";
import { ALL_QUEUES, QUEUES } from "./queues.ts";

/** A job as a worker receives it: the processor reads only these fields. */
const jobOf = (name: string, data: unknown) => ({ name, data, id: "j1", attemptsMade: 0, opts: {} }) as unknown as Job;

describe("job catalog", () => {
  it("has the shipped job names on their shipped queues", () => {
    const byQueue = Object.fromEntries(ALL_QUEUES.map((q) => [q, jobNamesOf(q)]));
    expect(byQueue).toEqual({
      discovery: ["connections.task", "impact.preview"],
      reconcile: ["reconcile.run", "reconcile.poll-tick"],
      reports: ["reports.weekly", "reports.sample", "reports.sync-schedules"],
      notifications: [
        "notifications.send-email",
        "notifications.send-invitation",
        "notifications.deliver",
        "notifications.tick",
        "notifications.scan",
      ],
      impact: ["impact.replay", "impact.denials", "impact.denials-connection", "posture.scan"],
      rollouts: ["rollouts.advance"],
    });
  });

  it("puts every job on a queue that exists, and every queue has jobs", () => {
    for (const name of ALL_JOB_NAMES) expect(ALL_QUEUES, name).toContain(JOBS[name].queue);
    for (const queue of ALL_QUEUES) expect(jobNamesOf(queue).length, queue).toBeGreaterThan(0);
    for (const name of ALL_JOB_NAMES) expect(name).toMatch(/^[a-z]+\.[a-z]+(-[a-z]+)*$/);
  });

  it("keeps the shipped job ids and scheduler ids", () => {
    expect(JOBS["reconcile.run"].jobId?.({ connectionId: "c1", trigger: "poll" })).toBe("reconcile__c1");
    expect(JOBS["connections.task"].jobId?.({ connectionId: "c1", task: "verify" })).toBe("task__c1__verify");
    expect(JOBS["notifications.send-email"].jobId?.({ deliveryId: "d1" })).toBe("email__d1");
    expect(JOBS["notifications.send-invitation"].jobId?.({ invitationId: "i1" })).toBe("invitation__i1");
    expect(JOBS["impact.replay"].jobId?.({ reportId: "r1" })).toBe("impact__r1");
    expect(JOBS["posture.scan"].jobId?.({ scanId: "s1" })).toBe("posture__s1");
    expect(JOBS["impact.denials-connection"].jobId?.({ connectionId: "c1" })).toBe("denials__c1");
    expect(JOBS["reconcile.poll-tick"].schedule.schedulerId({})).toBe("reconcile-poll-tick");
    expect(JOBS["reports.weekly"].schedule.schedulerId({ workspaceId: "w1", trigger: "schedule" })).toBe("reports-weekly__w1");
    expect(JOBS["reports.sample"].schedule.schedulerId({ workspaceId: "w1" })).toBe("reports-sample__w1");
    expect(JOBS["reports.sync-schedules"].schedule.schedulerId({})).toBe("reports-sync-schedules");
  });

  it("gives every scheduled job a repeat, or leaves it to the caller only for the weekly report", () => {
    const scheduled = ALL_JOB_NAMES.filter((n) => jobSpec(n)?.schedule);
    expect(scheduled.filter((n) => !jobSpec(n)?.schedule?.repeat)).toEqual(["reports.weekly"]);
  });

  it("does not know names outside the catalog, inherited ones included", () => {
    expect(jobSpec("reports.no-such-job")).toBeUndefined();
    expect(jobSpec("toString")).toBeUndefined();
  });
});

describe("jobProcessor", () => {
  it("refuses a handler map that misses a job or names another queue's job", () => {
    // @ts-expect-error the map must name every reconcile job
    expect(() => jobProcessor(QUEUES.reconcile, { "reconcile.run": () => 1 })).toThrow(/no handler for reconcile\.poll-tick/);
    expect(() =>
      // @ts-expect-error reports.sample is not a discovery job
      jobProcessor(QUEUES.discovery, { "connections.task": () => 1, "impact.preview": () => 1, "reports.sample": () => 2 }),
    ).toThrow(/reports\.sample is not a discovery job/);
  });

  it("hands each job its payload as the catalog schema reads it", async () => {
    const seen: [JobName, unknown][] = [];
    const process = jobProcessor(QUEUES.notifications, {
      "notifications.send-email": (p) => seen.push(["notifications.send-email", p.deliveryId]),
      "notifications.send-invitation": (p) => seen.push(["notifications.send-invitation", p.invitationId]),
      "notifications.deliver": (p) => seen.push(["notifications.deliver", p.deliveryId]),
      "notifications.tick": () => seen.push(["notifications.tick", null]),
      "notifications.scan": () => seen.push(["notifications.scan", null]),
    });
    await process(jobOf("notifications.send-email", { deliveryId: "d1" }));
    await process(jobOf("notifications.send-invitation", { invitationId: "i1" }));
    expect(seen).toEqual([
      ["notifications.send-email", "d1"],
      ["notifications.send-invitation", "i1"],
    ]);
  });

  it("fails an unknown name or a refused payload unrecoverably, naming the field", async () => {
    const process = jobProcessor(QUEUES.discovery, { "connections.task": () => "ran", "impact.preview": () => "ran" });
    await expect(process(jobOf("connections.nope", {}))).rejects.toThrow(UnrecoverableError);
    await expect(process(jobOf("hasOwnProperty", {}))).rejects.toThrow(/unknown job hasOwnProperty/);
    await expect(process(jobOf("connections.task", { connectionId: "c1", task: "delete" }))).rejects.toThrow(/invalid payload \(task: /);
  });
});
