/** Small formatters shared by pages. Pure, so they render the same on the server and in the browser. */

export function pct(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return `${(x * 100).toFixed(digits)}%`;
}

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-GB");
}

/** "3 min ago", "2 h ago", "5 d ago", or a date for anything older than a month. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "–";
  const s = Math.round((now - t) / 1000);
  if (s < 0) return "just now";
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 30 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** A future moment, relative: "in 7 d", "in 3 h", "in 12 min"; a past one is "expired". */
export function until(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "–";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "–";
  const s = Math.round((t - now) / 1000);
  if (s <= 0) return "expired";
  if (s < 3600) return `in ${Math.max(1, Math.round(s / 60))} min`;
  if (s < 86_400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function personLabel(p: unknown): string {
  if (!p) return "system";
  if (typeof p === "string") return p;
  if (typeof p === "object") {
    const o = p as { email?: unknown; name?: unknown; id?: unknown; label?: unknown };
    for (const k of [o.email, o.label, o.name, o.id]) if (typeof k === "string" && k) return k;
  }
  return "unknown";
}

export const CLOUD_NAME = { aws: "AWS", azure: "Azure", gcp: "Google Cloud", oci: "Oracle Cloud" } as const;
export { CLOUD_ROOT } from "@parapet/core/connections/cloud-root";
