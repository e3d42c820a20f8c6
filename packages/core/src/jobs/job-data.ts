/**
 * Reading a job in a worker. A job that can never succeed (a name no handler knows, a payload its
 * schema refuses, a cloud's answer that retrying cannot change) fails at once with BullMQ's
 * UnrecoverableError instead of being retried with backoff: retrying cannot fix it, and each retry
 * would only delay the failure and log it again.
 */
import { UnrecoverableError, type Job } from "bullmq";
import type { z } from "zod";
import { JOBS, jobNamesOf, type JobNameOf, type TJobPayload } from "./catalog.ts";
import type { QueueName } from "./queues.ts";
import { isProviderError } from "@parapet/providers/contract";

interface TJobLike {
  name: string;
  id?: string | undefined;
  data: unknown;
}

/** The job's payload as `schema` reads it, or an UnrecoverableError naming each refused field. */
export function jobData<S extends z.ZodType>(queue: string, schema: S, job: TJobLike): z.output<S> {
  const r = schema.safeParse(job.data);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
  throw new UnrecoverableError(`${queue}: job ${job.name}${job.id ? ` (${job.id})` : ""} has an invalid payload (${fields}); not retried`);
}

/** For a name no handler knows. */
function unknownJob(queue: string, job: TJobLike): never {
  throw new UnrecoverableError(`${queue}: unknown job ${job.name}${job.id ? ` (${job.id})` : ""}; not retried`);
}

/** One handler per job of queue `Q`, given the payload its catalog schema read. */
export type TJobHandlers<Q extends QueueName> = { [N in JobNameOf<Q>]: (payload: TJobPayload<N>, job: Job) => unknown };

/**
 * A worker's processor for queue `Q`: dispatches on the job name to its handler (the type requires
 * one for every catalog job of the queue, and no other), after reading the payload with the job's
 * catalog schema. The same check runs when the worker is built, for callers that bypass the types.
 */
export function jobProcessor<Q extends QueueName>(queue: Q, handlers: TJobHandlers<Q>): (job: Job) => Promise<unknown> {
  const expected = jobNamesOf(queue);
  const given = Object.keys(handlers);
  const missing = expected.filter((n) => !given.includes(n));
  const extra = given.filter((n) => !(expected as string[]).includes(n));
  if (missing.length || extra.length) {
    throw new Error(
      `${queue}: the worker's handlers do not match the job catalog (${[...missing.map((n) => `no handler for ${n}`), ...extra.map((n) => `${n} is not a ${queue} job`)].join("; ")})`,
    );
  }
  return async (job) => {
    if (!Object.hasOwn(handlers, job.name)) return unknownJob(queue, job);
    const name = job.name as JobNameOf<Q>;
    // The handler of `name` takes the payload `name`'s schema reads; TypeScript cannot see that through the index.
    const handler = handlers[name] as (payload: unknown, job: Job) => unknown;
    return handler(jobData(queue, JOBS[name].schema, job), job);
  };
}

/**
 * What a job throws, given what its handler threw: a provider error classified as not retryable
 * (auth, invalid, limit, not_found: bad credentials stay bad for the next attempt) becomes an
 * UnrecoverableError with the same message, so BullMQ records the same failure reason and ends the job
 * at once. Everything else (throttled, unavailable, conflict, a database blip) is thrown as it was and
 * retried under the job's own attempts and backoff.
 */
export function jobFailure(e: unknown): unknown {
  if (!isProviderError(e) || e.retryable) return e;
  const end = new UnrecoverableError(e.message);
  // The classification and the cloud's own code stay reachable for the log line.
  Object.defineProperty(end, "cause", { value: e, enumerable: false });
  return end;
}
