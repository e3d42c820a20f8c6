/**
 * Reads CloudTrail event history (management events, last 90 days) through LookupEvents for impact
 * replay. LookupEvents answers for the calling account in one Region: the management account's history,
 * where Organizations, IAM and STS calls land (us-east-1 for these global services). Member accounts'
 * events and data events need the organization trail's S3 files, which this reader does not read.
 */
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import type { AuditPage, AuditReadRequest } from "../contract/audit.ts";
import { ProviderError } from "../contract/errors.ts";
import { parseCloudTrailRecords } from "./audit-records.ts";
import type { AwsContext } from "./context.ts";

/** LookupEvents: "events that occurred in a Region within the last 90 days" (botocore service-2.json). */
const HISTORY_MS = 90 * 24 * 3600 * 1000;
/** MaxResults is 1–50 per call (botocore service-2.json, MaxResults shape). */
const MAX_PER_CALL = 50;
const DEFAULT_PAGE = 200;
const MAX_PAGE = 1000;
/** Where the management account's global-service events (Organizations, IAM, STS) are logged. */
export const AWS_AUDIT_REGION = "us-east-1";

const bad = (message: string) => new ProviderError("invalid", message, false, "LookupEvents", "INVALID_AUDIT_REQUEST");

export async function readAwsAuditEvents(ctx: AwsContext, req: AuditReadRequest, now = Date.now()): Promise<AuditPage> {
  const since = req.since.getTime();
  const until = req.until.getTime();
  if (Number.isNaN(since)) throw bad("since is not a valid date");
  if (Number.isNaN(until)) throw bad("until is not a valid date");
  if (since > until) throw bad(`since (${req.since.toISOString()}) is after until (${req.until.toISOString()})`);
  if (until < now - HISTORY_MS) {
    throw bad(
      `until (${req.until.toISOString()}) is older than the 90 days of CloudTrail event history; use the organization trail's log files`,
    );
  }
  const pageSize = req.pageSize ?? DEFAULT_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) throw bad(`pageSize must be 1-${MAX_PAGE}, got ${pageSize}`);
  // CloudTrail binds NextToken to the request's parameters, so a continuation replays the first page's
  // window, carried in our own token.
  let resume: { s: number; e: number; t: string } | undefined;
  if (req.pageToken !== undefined) {
    try {
      const v = JSON.parse(Buffer.from(req.pageToken, "base64url").toString("utf8")) as { s?: unknown; e?: unknown; t?: unknown };
      if (typeof v.s === "number" && typeof v.e === "number" && typeof v.t === "string") resume = { s: v.s, e: v.e, t: v.t };
    } catch {
      resume = undefined;
    }
    if (!resume) throw bad("pageToken is not a token this reader issued");
  }
  // Older than the history holds cannot be asked for: start where the history starts.
  const start = new Date(resume?.s ?? Math.max(since, now - HISTORY_MS + 60_000));
  const end = new Date(resume?.e ?? until);
  const client = ctx.clients.cloudtrail(AWS_AUDIT_REGION);
  const records: unknown[] = [];
  const skipped: Record<string, number> = {};
  let token = resume?.t;
  do {
    const max = Math.min(MAX_PER_CALL, pageSize - records.length);
    const out = await ctx.call("LookupEvents", false, () =>
      client.send(new LookupEventsCommand({ StartTime: start, EndTime: end, MaxResults: max, ...(token ? { NextToken: token } : {}) })),
    );
    for (const e of out.Events ?? []) {
      try {
        records.push(JSON.parse(e.CloudTrailEvent ?? ""));
      } catch {
        skipped["not-json"] = (skipped["not-json"] ?? 0) + 1;
      }
    }
    token = out.NextToken;
  } while (token && records.length < pageSize);

  const parsed = parseCloudTrailRecords(records);
  for (const [k, v] of Object.entries(parsed.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
  return {
    events: parsed.events,
    ...(token
      ? { nextPageToken: Buffer.from(JSON.stringify({ s: start.getTime(), e: end.getTime(), t: token })).toString("base64url") }
      : {}),
    ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
  };
}
