/**
 * Reading a job in a worker. A job that can never succeed (a name no handler knows, a payload its
 * schema refuses, a cloud's answer that retrying cannot change) fails at once with BullMQ's
 * UnrecoverableError instead of being retried with backoff: retrying cannot fix it, and each retry
 * would only delay the failure and log it again.
 */
import { UnrecoverableError } from "bullmq";
import type { z } from "zod";
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

/** For the `default` branch of a worker's dispatch. */
export function unknownJob(queue: string, job: TJobLike): never {
  throw new UnrecoverableError(`${queue}: unknown job ${job.name}${job.id ? ` (${job.id})` : ""}; not retried`);
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
