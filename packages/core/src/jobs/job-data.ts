/**
 * Reading a job in a worker. A job that can never succeed (a name no handler knows, a payload its
 * schema refuses) fails at once with BullMQ's UnrecoverableError instead of being retried with
 * backoff: retrying cannot fix it, and each retry would only delay the failure and log it again.
 */
import { UnrecoverableError } from "bullmq";
import type { z } from "zod";

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
