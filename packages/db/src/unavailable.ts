/**
 * Whether an error means "the database is not there right now" (down, restarting, failing over,
 * blackholed, out of connections) rather than "this query is wrong". Callers answer the first with a
 * 503 the client can retry, and keep 500 for real bugs.
 *
 * The shapes are those the stack actually produces: Prisma's known-request errors carrying the pg
 * driver adapter's classified cause (`DatabaseNotReachable`, `ConnectionClosed`, `SocketTimeout`,
 * `TooManyConnections`, or a raw SQLSTATE), node-postgres / pg-pool errors (SQLSTATE on `code`, or
 * plain messages for its own timeouts), and Node's socket errors.
 */

/** Prisma's connection-level codes: can't reach, timed out, server closed, pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/**
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now: a
 * restart or pg_terminate_backend), 57014 (query canceled: statement_timeout), 53300 (too many connections).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const isUnavailableSqlState = (code: string) => /^08/.test(code) || ["57P01", "57P02", "57P03", "57014", "53300"].includes(code);
/** pg-pool and pg's own messages for a connection that timed out or ended under a query. */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /the database closed this connection/i,
  /Can't reach database server/i,
];

export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== "object" || depth > 5) return false;
  const err = e as { name?: unknown; code?: unknown; message?: unknown; meta?: unknown; cause?: unknown };
  if (err.name === "PrismaClientInitializationError") return true;
  if (typeof err.code === "string" && (PRISMA_CODES.has(err.code) || SOCKET_CODES.has(err.code) || isUnavailableSqlState(err.code)))
    return true;
  const adapter = (err.meta as { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } } | undefined)?.driverAdapterError
    ?.cause;
  if (
    adapter &&
    (ADAPTER_KINDS.has(String(adapter.kind)) ||
      (adapter.kind === "postgres" && typeof adapter.code === "string" && isUnavailableSqlState(adapter.code)))
  )
    return true;
  if (err.name === "DriverAdapterError") {
    const c = err.cause as { kind?: unknown; code?: unknown } | undefined;
    if (c && (ADAPTER_KINDS.has(String(c.kind)) || (c.kind === "postgres" && typeof c.code === "string" && isUnavailableSqlState(c.code))))
      return true;
  }
  if (typeof err.message === "string" && MESSAGES.some((m) => m.test(err.message as string))) return true;
  return isDatabaseUnavailable(err.cause, depth + 1);
}
