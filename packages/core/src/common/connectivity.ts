import { Redis } from "ioredis";

/**
 * Turns a connection failure into one line naming the variable and the address tried, never a stack
 * trace, and never the password embedded in a URL.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(not a valid URL)";
  }
}

export function describeConnectError(e: unknown, variable: string, url: string): string {
  const err = e as { code?: string; message?: string };
  // Prefer the driver's one-line message (e.g. 'role "x" does not exist'); fall back to the code.
  const msg = err.message && !err.message.includes("\n") && err.message.length <= 200 ? err.message : undefined;
  const reason = msg && msg !== "Connection is closed." ? msg : (err.code ?? msg ?? "unknown error");
  return `cannot reach ${variable}=${redactUrl(url)} (${reason})`;
}

/**
 * One connection attempt that fails fast: a long-lived BullMQ connection would otherwise retry
 * forever against a wrong REDIS_URL instead of saying so.
 */
export async function probeRedis(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  let cause: unknown;
  probe.on("error", (e) => (cause ??= e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    // ioredis rejects with "Connection is closed"; the socket error says why (ECONNREFUSED, ENOTFOUND…).
    throw cause ?? e;
  } finally {
    probe.disconnect();
  }
}
