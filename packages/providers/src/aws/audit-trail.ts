/**
 * Reads an organization trail's log files from S3 for impact replay: management and data events of
 * every member account (LookupEvents only has the calling account's management events). Files live at
 * `[prefix/]AWSLogs/<org-id>/<account-id>/CloudTrail/<region>/YYYY/MM/DD/…json.gz` ("Finding your
 * CloudTrail log files", AWS CloudTrail User Guide,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
 * The walk is (account, region, day) prefixes in order; the page token names where it stopped, down to
 * the record within a file, so pages stay bounded however large a file is.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { AuditEvent, AuditPage, AuditReadRequest } from "../contract/audit.ts";
import { ProviderError } from "../contract/errors.ts";
import { parseAwsAuditExport } from "./audit-records.ts";
import type { AwsContext } from "./context.ts";

export interface TAwsOrgTrail {
  bucket: string;
  /** The trail's S3 key prefix, if any (without the trailing slash). */
  prefix?: string;
  /** Regions whose logs to read (a multi-Region trail writes one folder per Region). */
  regions: string[];
}

interface TToken {
  s: number;
  e: number;
  /** Index of the (account, region, day) prefix being read. */
  u: number;
  /** The file being read in that prefix, and the next record in it. */
  k?: string;
  o?: number;
}

const DAY_MS = 24 * 3600 * 1000;
const LIST_PAGE = 100;
const bad = (message: string) => new ProviderError("invalid", message, false, "ListObjectsV2", "INVALID_AUDIT_REQUEST");

function days(start: number, end: number): string[] {
  const out: string[] = [];
  for (let d = Math.floor(start / DAY_MS) * DAY_MS; d <= end; d += DAY_MS)
    out.push(new Date(d).toISOString().slice(0, 10).replace(/-/g, "/"));
  return out;
}

async function accountsOf(ctx: AwsContext, s3: S3Client, bucket: string, root: string, req: AuditReadRequest): Promise<string[]> {
  if (req.nodeExternalIds && req.nodeExternalIds.length > 0) return [...new Set(req.nodeExternalIds)].sort();
  // Every account the trail logged: the folders under AWSLogs/<org-id>/.
  const found: string[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.call("ListObjectsV2", false, () =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: root, Delimiter: "/", ...(token ? { ContinuationToken: token } : {}) })),
    );
    for (const p of out.CommonPrefixes ?? []) {
      const id = p.Prefix?.slice(root.length).replace(/\/$/, "");
      if (id && /^\d{12}$/.test(id)) found.push(id);
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return found.sort();
}

export async function readAwsTrailEvents(ctx: AwsContext, trail: TAwsOrgTrail, orgId: string, req: AuditReadRequest): Promise<AuditPage> {
  const pageSize = req.pageSize ?? 200;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw bad(`pageSize must be 1-1000, got ${pageSize}`);
  let t: TToken;
  if (req.pageToken !== undefined) {
    try {
      t = JSON.parse(Buffer.from(req.pageToken, "base64url").toString("utf8")) as TToken;
    } catch {
      throw bad("pageToken is not a token this reader issued");
    }
    if (typeof t.s !== "number" || typeof t.e !== "number" || typeof t.u !== "number")
      throw bad("pageToken is not a token this reader issued");
  } else {
    const s = req.since.getTime();
    const e = req.until.getTime();
    if (Number.isNaN(s) || Number.isNaN(e)) throw bad("since and until must be valid dates");
    if (s > e) throw bad(`since (${req.since.toISOString()}) is after until (${req.until.toISOString()})`);
    t = { s, e, u: 0 };
  }
  const s3 = ctx.clients.s3();
  const root = `${trail.prefix ? `${trail.prefix}/` : ""}AWSLogs/${orgId}/`;
  const accounts = await accountsOf(ctx, s3, trail.bucket, root, req);
  const units: string[] = [];
  for (const a of accounts) for (const r of trail.regions) for (const d of days(t.s, t.e)) units.push(`${root}${a}/CloudTrail/${r}/${d}/`);
  const wanted = req.nodeExternalIds && req.nodeExternalIds.length > 0 ? new Set(req.nodeExternalIds) : undefined;

  const events: AuditEvent[] = [];
  const skipped: Record<string, number> = {};
  /** Reads one file from `offset`; returns the offset to resume at when the page filled up, else undefined. */
  const readFile = async (key: string, offset: number): Promise<number | undefined> => {
    const out = await ctx.call("GetObject", false, () => s3.send(new GetObjectCommand({ Bucket: trail.bucket, Key: key })));
    const bytes = await out.Body!.transformToByteArray();
    const parsed = parseAwsAuditExport(bytes);
    if (offset === 0) for (const [k, v] of Object.entries(parsed.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
    for (let i = offset; i < parsed.events.length; i++) {
      if (events.length >= pageSize) return i;
      const ev = parsed.events[i]!;
      const ms = Date.parse(ev.time);
      if (ms < t.s || ms > t.e) continue;
      if (wanted && !wanted.has(ev.nodeExternalId ?? "")) continue;
      events.push(ev);
    }
    return undefined;
  };

  for (let u = t.u; u < units.length; u++) {
    let after = u === t.u ? t.k : undefined;
    if (after !== undefined && u === t.u && t.o !== undefined) {
      const resumeAt = await readFile(after, t.o);
      if (resumeAt !== undefined) return finish({ ...t, u, k: after, o: resumeAt });
    }
    let listToken: string | undefined;
    do {
      const out = await ctx.call("ListObjectsV2", false, () =>
        s3.send(
          new ListObjectsV2Command({
            Bucket: trail.bucket,
            Prefix: units[u],
            MaxKeys: LIST_PAGE,
            ...(listToken ? { ContinuationToken: listToken } : after ? { StartAfter: after } : {}),
          }),
        ),
      );
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        const resumeAt = await readFile(o.Key, 0);
        if (resumeAt !== undefined) return finish({ ...t, u, k: o.Key, o: resumeAt });
        after = o.Key;
      }
      listToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (listToken);
  }
  return finish(undefined);

  function finish(next: TToken | undefined): AuditPage {
    return {
      events,
      ...(next ? { nextPageToken: Buffer.from(JSON.stringify(next)).toString("base64url") } : {}),
      ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
    };
  }
}
