import { getContinuationToken as mgToken, type DescendantInfo } from "@azure/arm-managementgroups";
import type { AuditEvent, AuditPage, AuditReadRequest } from "../contract/audit.ts";
import { invalid } from "./context.ts";
import { azureCallKey, collapseAzureCalls, parseAzureActivityEntry } from "./audit-records.ts";
import type { AzureContext } from "./context.ts";

/**
 * Reads the Activity Log of every subscription in scope through @azure/arm-monitor 8.0.0
 * (`MonitorClient.activityLogs.list`, "Activity Logs - List", api-version 2015-04-01), one service page
 * per call, so memory stays bounded however long the window. The page token is opaque to callers:
 * the remaining subscriptions, the service's nextLink for the current one, and how far into that page
 * a `pageSize` smaller than the service's page got.
 *
 * The `$filter` is the only one the API accepts for a subscription in a time range
 * (`eventTimestamp ge '…' and eventTimestamp le '…'`), and the Activity Log keeps 90 days: a window
 * starting earlier is refused here, before any call, with the same reason the service gives.
 * There is no Activity Log list at management-group scope in the specs; a management group's own
 * writes are in the tenant log, which needs tenant-level access the connector is not granted.
 *
 * A call's Started and end entries are collapsed into one event. The service lists newest first, so a
 * call straddling a page boundary shows its end entry on one page and its Started entry (with the
 * request body) on the next: end-only events are carried in the page token (at most CARRY_MAX) until
 * their Started entry arrives or the subscription's log ends.
 */
const CARRY_MAX = 200;

/** $select: what the parser reads, nothing else (the spec's SelectParameter names them). */
const SELECT = [
  "authorization",
  "claims",
  "correlationId",
  "eventDataId",
  "eventName",
  "eventTimestamp",
  "httpRequest",
  "operationName",
  "properties",
  "resourceGroupName",
  "resourceId",
  "status",
  "subStatus",
  "subscriptionId",
  // Not in SelectParameter's list but EventData properties: without `category` the parser could not
  // tell a ServiceHealth entry from a caller's request.
  "category",
  "caller",
].join(",");

const RETENTION_MS = 90 * 24 * 3600 * 1000;
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Cursor {
  /** Subscriptions still to read, the first being the current one. */
  subs: string[];
  /** The service's nextLink within the current subscription. */
  link?: string;
  /** Entries of the page at `link` (or the first page) already returned. */
  skip?: number;
  /** End-only events whose Started entry has not been read yet. */
  carry?: AuditEvent[];
}

function encode(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

function decode(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor;
    if (!Array.isArray(c.subs) || c.subs.some((s) => typeof s !== "string")) throw new Error("subs");
    if (c.link !== undefined && typeof c.link !== "string") throw new Error("link");
    if (c.skip !== undefined && (!Number.isInteger(c.skip) || c.skip < 0)) throw new Error("skip");
    if (c.carry !== undefined && (!Array.isArray(c.carry) || c.carry.length > CARRY_MAX)) throw new Error("carry");
    return c;
  } catch {
    throw invalid("audit", "pageToken: not a token this reader issued", "INVALID_PAGE_TOKEN");
  }
}

/** Subscriptions under the connection's root management group. */
async function subscriptionsInScope(ctx: AzureContext): Promise<string[]> {
  const items = await ctx.sdkPages<DescendantInfo>(
    "ManagementGroups_GetDescendants",
    (t) => ctx.sdk.mg.managementGroups.listDescendants(ctx.rootMg).byPage({ continuationToken: t }),
    mgToken,
  );
  return items
    .filter((d) => (d.type ?? "").toLowerCase().endsWith("/subscriptions"))
    .map((d) => d.name ?? "")
    .filter(Boolean)
    .sort();
}

/** The SDK deserialises timestamps into Dates; the parser reads the wire's strings. */
function wire(e: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

export async function readAzureAuditEvents(ctx: AzureContext, req: AuditReadRequest): Promise<AuditPage> {
  const since = req.since.getTime();
  const until = req.until.getTime();
  if (Number.isNaN(since) || Number.isNaN(until)) throw invalid("audit", "since / until: must be valid dates", "INVALID_WINDOW");
  if (until < since) throw invalid("audit", "until: must not be before since", "INVALID_WINDOW");
  if (since < Date.now() - RETENTION_MS) {
    throw invalid("audit", "since: the Azure Activity Log keeps 90 days; start the window within the last 90 days", "WINDOW_TOO_OLD");
  }
  if (req.pageSize !== undefined && (!Number.isInteger(req.pageSize) || req.pageSize < 1)) {
    throw invalid("audit", "pageSize: must be a positive integer", "INVALID_PAGE_SIZE");
  }
  let cursor: Cursor;
  if (req.pageToken) cursor = decode(req.pageToken);
  else {
    const wanted = req.nodeExternalIds?.filter((id) => SUBSCRIPTION_ID.test(id));
    // Nodes that are not subscriptions (management groups) have no Activity Log list of their own:
    // read every subscription, and core filters by node again.
    const narrowed = wanted && wanted.length === req.nodeExternalIds?.length ? wanted : undefined;
    cursor = { subs: narrowed ? [...new Set(narrowed.map((s) => s.toLowerCase()))].sort() : await subscriptionsInScope(ctx) };
  }
  const sub = cursor.subs[0];
  if (!sub) return { events: [] };
  const filter = `eventTimestamp ge '${req.since.toISOString()}' and eventTimestamp le '${req.until.toISOString()}'`;
  const client = ctx.sdk.monitorFor(sub);
  const page = await ctx.call("ActivityLogs_List", false, async () => {
    const it = client.activityLogs.list(filter, { select: SELECT }).byPage(cursor.link ? { continuationToken: cursor.link } : {});
    const r = await it.next();
    return r.done
      ? { items: [], next: undefined }
      : { items: r.value, next: (r.value as { continuationToken?: string }).continuationToken };
  });
  const skip = cursor.skip ?? 0;
  const size = req.pageSize ?? page.items.length;
  const slice = page.items.slice(skip, skip + size);
  const skipped: Record<string, number> = {};
  const parsed: AuditEvent[] = [];
  const started = new Set<string>();
  for (const item of slice) {
    const r = parseAzureActivityEntry(wire(item));
    if ("event" in r) {
      parsed.push(r.event);
      if (r.event.context["azure:status"] === "Started") started.add(azureCallKey(r.event));
    } else skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
  }
  let next: Cursor | undefined;
  if (skip + size < page.items.length) next = { subs: cursor.subs, ...(cursor.link ? { link: cursor.link } : {}), skip: skip + size };
  else if (page.next) next = { subs: cursor.subs, link: page.next };
  const carried = cursor.carry ?? [];
  for (const e of carried) if (e.context["azure:status"] === "Started") started.add(azureCallKey(e));
  const events = collapseAzureCalls([...carried, ...parsed]);
  // Within the same subscription's log, an end-only call waits for its Started entry.
  const waiting = next ? events.filter((e) => !started.has(azureCallKey(e))).slice(0, CARRY_MAX) : [];
  const held = new Set(waiting);
  if (!next && cursor.subs.length > 1) next = { subs: cursor.subs.slice(1) };
  if (next && waiting.length) next.carry = waiting;
  return {
    events: events.filter((e) => !held.has(e)),
    ...(next ? { nextPageToken: encode(next) } : {}),
    ...(Object.keys(skipped).length ? { skipped } : {}),
  };
}
