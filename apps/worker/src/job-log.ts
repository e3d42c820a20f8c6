/**
 * Every queue's processor runs through `loggedProcessor`: a child logger per job (jobId, queue, job
 * name, connectionId or workspaceId from the payload, attempt), one line when the job starts and one
 * when it ends with its durationMs, and the job's own code logging through core's `log()` with the
 * same fields. A provider error that retrying cannot fix ends the job at once (`jobFailure`).
 */
import { DelayedError, UnrecoverableError, type Job, type Worker } from "bullmq";
import { jobFailure } from "@parapet/core";
import { durationSince, log, rootLogger, runWithLogger, type Logger } from "@parapet/core/common/logger";

/** The ids a payload carries (payloads carry ids only: jobs/definitions.ts). */
function payloadIds(data: unknown): { connectionId?: string; workspaceId?: string } {
  if (typeof data !== "object" || data === null) return {};
  const d = data as Record<string, unknown>;
  return {
    ...(typeof d.connectionId === "string" ? { connectionId: d.connectionId.slice(0, 100) } : {}),
    ...(typeof d.workspaceId === "string" ? { workspaceId: d.workspaceId.slice(0, 100) } : {}),
  };
}

function jobLogger(base: Logger, job: Pick<Job, "id" | "name" | "queueName" | "data" | "attemptsMade">): Logger {
  return base.child({ jobId: job.id, queue: job.queueName, job: job.name, ...payloadIds(job.data), attempt: job.attemptsMade + 1 });
}

/** Errors whose failure was logged by a processor (a worker's "failed" listener logs the rest: stalled jobs). */
const logged = new WeakSet<object>();
export function failureLogged(err: unknown): boolean {
  return typeof err === "object" && err !== null && logged.has(err);
}

/** Logs the failures a processor did not see (a job stalled past its limit, a lock lost). */
export function logOtherFailures(worker: Worker, logger?: Logger): void {
  worker.on("failed", (job, err) => {
    if (!failureLogged(err)) (logger ?? rootLogger()).error({ jobId: job?.id, queue: worker.name, job: job?.name, err }, "job failed");
  });
}

export interface LoggedProcessorOptions {
  /** Where job loggers come from (tests pass a logger writing to a stream they read); the root logger by default. */
  logger?: Logger | undefined;
  /** Job names whose start and success are debug lines (the poll tick runs every few seconds); failures always show. */
  quiet?: readonly string[];
}

export function loggedProcessor<T>(processor: (job: Job) => Promise<T>, opts: LoggedProcessorOptions = {}): (job: Job) => Promise<T> {
  return async (job: Job) => {
    const logger = jobLogger(opts.logger ?? log(), job);
    const routine = opts.quiet?.includes(job.name) ?? false;
    const started = performance.now();
    logger[routine ? "debug" : "info"]("job started");
    try {
      const out = await runWithLogger(logger, () => processor(job));
      logger[routine ? "debug" : "info"]({ durationMs: durationSince(started) }, "job finished");
      return out;
    } catch (e) {
      // Not a failure: the job moved itself to the delayed set (a reconcile waiting for a lease) and runs again later.
      if (e instanceof DelayedError) {
        logger.info({ durationMs: durationSince(started) }, "job deferred");
        throw e;
      }
      const thrown = jobFailure(e);
      const willRetry = !(thrown instanceof UnrecoverableError) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      logger[willRetry ? "warn" : "error"]({ err: e, willRetry, durationMs: durationSince(started) }, "job failed");
      if (typeof thrown === "object" && thrown !== null) logged.add(thrown);
      throw thrown;
    }
  };
}
