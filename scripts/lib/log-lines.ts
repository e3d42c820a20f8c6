/**
 * The web app and the worker log JSON lines (packages/core/src/common/logger.ts), for machines. The demo
 * and test commands show them to people: `12:04:05 info  job finished queue=reconcile durationMs=812`.
 * Log files keep the JSON as written.
 */
const SKIP = new Set(["time", "level", "msg", "service", "pid", "hostname", "err"]);

function value(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** One of the apps' JSON log lines as a line for people; any other line as it is. */
export function humanLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof o.msg !== "string" || typeof o.level !== "string") return line;
  const time = typeof o.time === "string" ? o.time.slice(11, 19) : "";
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  const err = o.err as { type?: string; message?: string; stack?: string } | undefined;
  const head = [time, o.level.padEnd(5), o.msg, ...fields].filter(Boolean).join(" ");
  // An error's stack on the lines after it, as node prints one.
  return err ? `${head}\n${err.stack ?? `${err.type ?? "Error"}: ${err.message ?? ""}`}` : head;
}
