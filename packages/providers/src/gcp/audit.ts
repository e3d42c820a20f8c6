/**
 * Impact replay's reader of Cloud Audit Logs: one page of the organization's audit entries (Admin
 * Activity, Data Access, Policy Denied) per call, normalised by audit-records.ts.
 *
 * Where the entries are: a call is logged in the log of the resource container it touched — the
 * organization, a folder or a project ("Audit logs" → log names, https://cloud.google.com/logging/docs/audit).
 * Reading `organizations/ID` returns only the organization's own log, so the reader names the
 * organization plus every node asked for (`nodeExternalIds`: `projects/…`, `folders/…`), in batches of
 * RESOURCE_NAMES_PER_CALL. Without `nodeExternalIds` it reads the organization's log alone: the caller
 * (core) always passes the environments it replays.
 *
 * Paging: `pageSize` ≤ 1,000 (entries.list's maximum); one API page per call, so memory holds one page
 * however long the window. The page token carries the batch and the API's own token.
 */
import type { AuditPage, AuditReadRequest } from "../contract/audit.ts";
import { invalid } from "../common/ownership.ts";
import { gcpAuditRecord } from "./audit-records.ts";
import { mapLimit } from "../common/concurrency.ts";
import { isMissing, NO_RETRY, type GcpContext } from "./context.ts";

/** Resource names per entries.list call (kept small so a request stays well inside URL/body limits). */
const RESOURCE_NAMES_PER_CALL = 50;
const MAX_PAGE_SIZE = 1000;

interface ReaderToken {
  /** Batch index. */
  b: number;
  /** entries.list's nextPageToken within the batch. */
  t?: string;
}

function badRequest(field: string, message: string) {
  return invalid("gcp.readAuditEvents", `${field}: ${message}`, "INVALID_REQUEST");
}

function decodeToken(token: string | undefined): ReaderToken {
  if (!token) return { b: 0 };
  try {
    const t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as ReaderToken;
    if (Number.isInteger(t.b) && t.b >= 0 && (t.t === undefined || typeof t.t === "string")) return t;
  } catch {
    // falls through to the error below
  }
  throw badRequest("pageToken", "not a token this reader issued");
}
const encodeToken = (t: ReaderToken): string => Buffer.from(JSON.stringify(t)).toString("base64url");

/** The Logging query: audit logs only, in the window (`timestamp` is the call's time). */
function gcpAuditFilter(since: Date, until: Date): string {
  return `logName:"cloudaudit.googleapis.com" AND timestamp>="${since.toISOString()}" AND timestamp<"${until.toISOString()}"`;
}

/** Per connection: project id → `projects/<number>`, learnt once per project (GetProject). */
const projectNodes = new WeakMap<GcpContext, Map<string, string>>();

/**
 * Audit entries name a project by its id (`resource.labels.project_id`), nodes by number
 * (`projects/<number>`, as discovery stores them): each asked-for project is read once to learn its id,
 * so events come back in the nodes' own spelling.
 */
async function learnProjectIds(ctx: GcpContext, nodes: readonly string[]): Promise<Map<string, string>> {
  let known = projectNodes.get(ctx);
  if (!known) projectNodes.set(ctx, (known = new Map<string, string>()));
  const have = new Set(known.values());
  const todo = nodes.filter((n) => /^projects\/\d+$/.test(n) && !have.has(n));
  await mapLimit(todo, ctx.concurrency, async (name) => {
    try {
      const [p] = await ctx.call("crm.GetProject", false, () => ctx.c.projects.getProject({ name }, NO_RETRY));
      if (p.projectId) known.set(p.projectId, name);
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  });
  return known;
}

export async function readGcpAuditEvents(ctx: GcpContext, req: AuditReadRequest): Promise<AuditPage> {
  if (!(req.since instanceof Date) || Number.isNaN(req.since.getTime())) throw badRequest("since", "must be a valid date");
  if (!(req.until instanceof Date) || Number.isNaN(req.until.getTime())) throw badRequest("until", "must be a valid date");
  if (req.until <= req.since) throw badRequest("until", "must be after since");
  const pageSize = req.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw badRequest("pageSize", `must be 1 to ${MAX_PAGE_SIZE}`);
  const nodes = [...new Set(req.nodeExternalIds ?? [])];
  for (const n of nodes) {
    if (!/^(projects|folders|organizations)\/[a-z0-9-]{1,64}$/.test(n))
      throw badRequest("nodeExternalIds", `"${n}" is not a GCP resource container`);
  }
  const names = [ctx.org, ...nodes.filter((n) => n !== ctx.org)];
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += RESOURCE_NAMES_PER_CALL) batches.push(names.slice(i, i + RESOURCE_NAMES_PER_CALL));

  const byProjectId = await learnProjectIds(ctx, nodes);
  let tok = decodeToken(req.pageToken);
  if (tok.b >= batches.length) throw badRequest("pageToken", "names a batch past the end");
  const filter = gcpAuditFilter(req.since, req.until);
  // Empty API pages are possible (a batch with no entries); move on until a page has something or all is read.
  for (;;) {
    const batch = batches[tok.b]!;
    const res = await ctx.call("logging.ListLogEntries", false, () =>
      ctx.c.logEntries.list({ resourceNames: batch, filter, orderBy: "timestamp asc", pageSize, ...(tok.t ? { pageToken: tok.t } : {}) }),
    );
    const next: ReaderToken | undefined = res.nextPageToken
      ? { b: tok.b, t: res.nextPageToken }
      : tok.b + 1 < batches.length
        ? { b: tok.b + 1 }
        : undefined;
    const events: AuditPage["events"] = [];
    const skipped: Record<string, number> = {};
    for (const entry of res.entries ?? []) {
      const r = gcpAuditRecord(entry);
      if ("event" in r) {
        const number = byProjectId.get(r.event.nodeExternalId?.replace(/^projects\//, "") ?? "");
        events.push(number ? { ...r.event, nodeExternalId: number } : r.event);
      } else skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
    }
    if (events.length > 0 || Object.keys(skipped).length > 0 || !next) {
      return {
        events,
        ...(next ? { nextPageToken: encodeToken(next) } : {}),
        ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
      };
    }
    tok = next;
  }
}
