import "server-only";
import { configureLogging, durationSince, log, rootLogger, runWithLogger, type Logger } from "@parapet/core/common/logger";
import { env } from "@/env";
import { requestIdOf } from "./request-id";

/**
 * The web process's logging: the root logger set from env.ts (LOG_LEVEL) on first use, and one access
 * line per API request with its request id, method, path, status and durationMs (plus `workspaceId`
 * once `route()` has authenticated the caller: `bindLogFields`). Code that runs for the request and
 * logs through core's `log()` writes with the same fields.
 */
let configured = false;

/** The process's root logger, configured from the environment the first time it is asked for. */
export function serverLog(): Logger {
  if (!configured) {
    configured = true;
    let level;
    try {
      level = env().LOG_LEVEL;
    } catch {
      // A configuration error is answered elsewhere (the route's 500 names it in the log); log at the default.
    }
    configureLogging({ service: "web", ...(level ? { level } : {}) });
  }
  return rootLogger();
}

/**
 * The logger for lines about `requestId`: the request's own when called inside it (it already carries
 * the id and the fields bound so far), else one bound to the id (handlers outside `withRequestLog`).
 */
export function requestLogger(requestId: string): Logger {
  const current = log();
  return current.bindings().requestId === requestId ? current : serverLog().child({ requestId });
}

/** 5xx are errors (503: a dependency away, retried by the client — a warning); the rest are info. */
function accessLevel(status: number): "info" | "warn" | "error" {
  if (status === 503) return "warn";
  return status >= 500 ? "error" : "info";
}

/**
 * Wraps a route handler: runs it under a request logger and writes the access line when it answers.
 * The query string is left out of `path` (unsubscribe and invitation links carry tokens there).
 */
export function withRequestLog<A extends unknown[]>(handler: (req: Request, ...rest: A) => Promise<Response>) {
  return async (req: Request, ...rest: A): Promise<Response> => {
    const started = performance.now();
    const logger = serverLog().child({ requestId: requestIdOf(req), method: req.method, path: new URL(req.url).pathname });
    let inner: Logger = logger;
    const res = await runWithLogger(logger, async () => {
      try {
        return await handler(req, ...rest);
      } finally {
        // The scope's logger, with whatever the handler bound (workspaceId).
        inner = log();
      }
    }).catch((e: unknown) => {
      inner.error({ err: e, status: 500, durationMs: durationSince(started) }, "request failed outside the error mapping");
      throw e;
    });
    inner[accessLevel(res.status)]({ status: res.status, durationMs: durationSince(started) }, "request");
    return res;
  };
}
