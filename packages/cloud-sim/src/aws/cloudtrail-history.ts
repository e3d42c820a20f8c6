/**
 * CloudTrail event history: every call the simulator serves becomes a CloudTrail record (same builder as
 * the EventBridge events, cloudtrail.ts), kept 90 days, and served through `LookupEvents` on the JSON 1.1
 * protocol. Shapes, limits and errors: botocore `botocore/data/cloudtrail/2013-11-01/service-2.json`
 * (targetPrefix `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`; LookupEventsRequest/Response;
 * LookupAttributeKey enum; MaxResults 1–50; LookupAttributeValue 1–2000 chars; "the list can contain only
 * one item"; "events that occurred in a Region within the last 90 days"; "limited to two per second, per
 * account, per Region"), and the LookupEvents API reference
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 */
import { createHash } from "node:crypto";
import { TokenBucket } from "../common/throttle.ts";
import { AwsError } from "./errors.ts";

/** A CloudTrail record, as a trail delivers it and as LookupEvents' `CloudTrailEvent` string holds it. */
export type CloudTrailRecord = Record<string, unknown> & {
  eventID: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  recipientAccountId: string;
  userIdentity: Record<string, unknown>;
};

export const CLOUDTRAIL_TARGET_PREFIXES = ["com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", "CloudTrail_20131101."] as const;

const RETENTION_MS = 90 * 24 * 3600 * 1000;
const ATTRIBUTE_KEYS = new Set([
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
]);
/** A bound on memory: far more than any test or demo produces in 90 days. */
const MAX_RECORDS = 200_000;

const err = (code: string, message: string, status = 400) => new AwsError(code, message, status);

interface Stored {
  ms: number;
  record: CloudTrailRecord;
}

function username(r: CloudTrailRecord): string | undefined {
  const ui = r.userIdentity;
  if (typeof ui.userName === "string") return ui.userName;
  const arn = typeof ui.arn === "string" ? ui.arn : undefined;
  if (ui.type === "AssumedRole" && arn) return arn.slice(arn.lastIndexOf("/") + 1);
  if (ui.type === "Root") return "root";
  return undefined;
}

function resourcesOf(r: CloudTrailRecord): { ResourceType?: string; ResourceName?: string }[] {
  const list = Array.isArray(r.resources) ? (r.resources as Record<string, unknown>[]) : [];
  return list.map((x) => ({
    ...(typeof x.type === "string" ? { ResourceType: x.type } : {}),
    ...(typeof x.ARN === "string" ? { ResourceName: x.ARN } : {}),
  }));
}

function matches(r: CloudTrailRecord, key: string, value: string): boolean {
  switch (key) {
    case "EventId":
      return r.eventID === value;
    case "EventName":
      return r.eventName === value;
    case "EventSource":
      return r.eventSource === value;
    case "ReadOnly":
      return String(r.readOnly === true) === value;
    case "Username":
      return username(r) === value;
    case "AccessKeyId":
      return r.userIdentity.accessKeyId === value;
    case "ResourceType":
      return resourcesOf(r).some((x) => x.ResourceType === value);
    case "ResourceName":
      return resourcesOf(r).some((x) => x.ResourceName === value);
    default:
      return false;
  }
}

/** JSON 1.1 timestamps are epoch seconds (numbers); the SDK sends fractions. */
function time(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw err("SerializationException", `${field} must be a timestamp in epoch seconds`);
  return v * 1000;
}

export class CloudTrailHistory {
  private records: Stored[] = [];
  /** One bucket per account and Region: 2 requests per second (API reference). */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one event (served call or appended through the admin API). */
  add(record: CloudTrailRecord): void {
    const ms = Date.parse(record.eventTime);
    if (Number.isNaN(ms)) throw new Error(`eventTime is not a timestamp: ${record.eventTime}`);
    // Kept ordered by (time, eventID), the order NextToken resumes in: appended history may be older
    // than what is already there.
    let i = this.records.length;
    while (i > 0) {
      const prev = this.records[i - 1]!;
      if (prev.ms < ms || (prev.ms === ms && prev.record.eventID <= record.eventID)) break;
      i--;
    }
    this.records.splice(i, 0, { ms, record });
    this.prune();
  }

  all(): CloudTrailRecord[] {
    this.prune();
    return this.records.map((s) => s.record);
  }

  clear(): void {
    this.records = [];
  }

  private prune(): void {
    const cutoff = this.now() - RETENTION_MS;
    let drop = 0;
    while (drop < this.records.length && this.records[drop]!.ms < cutoff) drop++;
    if (this.records.length - drop > MAX_RECORDS) drop = this.records.length - MAX_RECORDS;
    if (drop > 0) this.records.splice(0, drop);
  }

  /** `LookupEvents` for the caller's account in the Region its request was signed for. */
  lookupEvents(input: Record<string, unknown>, caller: { accountId: string; region: string }): Record<string, unknown> {
    const bucketKey = `${caller.accountId}/${caller.region}`;
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) {
      bucket = new TokenBucket({ burst: 2, ratePerSec: 2 }, this.now);
      this.buckets.set(bucketKey, bucket);
    }
    if (bucket.take() > 0) throw err("ThrottlingException", "Rate exceeded");

    const attrs = input.LookupAttributes;
    let filter: { key: string; value: string } | undefined;
    if (attrs !== undefined && attrs !== null) {
      if (!Array.isArray(attrs)) throw err("SerializationException", "LookupAttributes must be a list");
      if (attrs.length > 1) throw err("InvalidLookupAttributesException", "You can only specify one lookup attribute.");
      const a = attrs[0] as Record<string, unknown> | undefined;
      if (a) {
        const key = a.AttributeKey;
        const value = a.AttributeValue;
        if (typeof key !== "string" || !ATTRIBUTE_KEYS.has(key)) {
          throw err("InvalidLookupAttributesException", `AttributeKey ${String(key).slice(0, 50)} is not valid.`);
        }
        if (typeof value !== "string" || value.length < 1 || value.length > 2000) {
          throw err("InvalidLookupAttributesException", "AttributeValue must be between 1 and 2000 characters.");
        }
        filter = { key, value };
      }
    }
    if (input.EventCategory !== undefined && input.EventCategory !== "insight") {
      throw err("InvalidEventCategoryException", `EventCategory ${JSON.stringify(input.EventCategory).slice(0, 50)} is not valid.`);
    }
    const max = input.MaxResults ?? 50;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 50) {
      throw err("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
    }
    const now = this.now();
    const start = time(input.StartTime, "StartTime");
    const end = time(input.EndTime, "EndTime");
    if (start !== undefined && end !== undefined && start > end) {
      throw err("InvalidTimeRangeException", "Start time must be earlier than end time.");
    }
    // Event history holds 90 days; a window that ends before that is outside the possible range.
    if (end !== undefined && end < now - RETENTION_MS) {
      throw err("InvalidTimeRangeException", "The time range is outside the 90-day event history.");
    }

    // The token is bound to the request's parameters ("must be passed in with the same parameters").
    const paramsHash = createHash("sha256")
      .update(JSON.stringify([filter ?? null, input.StartTime ?? null, input.EndTime ?? null, input.EventCategory ?? null]))
      .digest("hex")
      .slice(0, 16);
    let after: { ms: number; id: string } | undefined;
    if (input.NextToken !== undefined) {
      const parsed = typeof input.NextToken === "string" ? decodeToken(input.NextToken) : undefined;
      if (!parsed || parsed.h !== paramsHash) throw err("InvalidNextTokenException", "Invalid NextToken.");
      after = { ms: parsed.t, id: parsed.i };
    }

    this.prune();
    const events: Record<string, unknown>[] = [];
    let next: string | undefined;
    // Insights events are never recorded here, so that category is always empty.
    if (input.EventCategory !== "insight") {
      // Newest first ("The most recent event is listed first").
      for (let i = this.records.length - 1; i >= 0; i--) {
        const { ms, record } = this.records[i]!;
        if (after && (ms > after.ms || (ms === after.ms && record.eventID >= after.id))) continue;
        if (record.recipientAccountId !== caller.accountId || record.awsRegion !== caller.region) continue;
        if (record.managementEvent === false) continue; // data events are not in event history
        if (start !== undefined && ms < start) break;
        if (end !== undefined && ms > end) continue;
        if (filter && !matches(record, filter.key, filter.value)) continue;
        if (events.length === max) {
          const last = events[events.length - 1]!;
          next = encodeToken({ t: (last.EventTime as number) * 1000, i: last.EventId as string, h: paramsHash });
          break;
        }
        events.push(toEvent(record, ms));
      }
    }
    return { Events: events, ...(next ? { NextToken: next } : {}) };
  }
}

function toEvent(r: CloudTrailRecord, ms: number): Record<string, unknown> {
  const user = username(r);
  const key = r.userIdentity.accessKeyId;
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly === true),
    ...(typeof key === "string" ? { AccessKeyId: key } : {}),
    EventTime: ms / 1000,
    EventSource: r.eventSource,
    ...(user ? { Username: user } : {}),
    Resources: resourcesOf(r),
    CloudTrailEvent: JSON.stringify(r),
  };
}

function encodeToken(t: { t: number; i: string; h: string }): string {
  return Buffer.from(JSON.stringify(t)).toString("base64url");
}

function decodeToken(s: string): { t: number; i: string; h: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as { t?: unknown; i?: unknown; h?: unknown };
    if (typeof v.t === "number" && typeof v.i === "string" && typeof v.h === "string") return { t: v.t, i: v.i, h: v.h };
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Checks a record appended through the admin API: the fields the history and readers rely on must be
 * there, and it must be within the 90 days CloudTrail keeps.
 */
export function checkAppendedRecord(v: unknown, now: number, index: number): CloudTrailRecord {
  const where = `records[${index}]`;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${where} must be an object`);
  const r = v as Record<string, unknown>;
  for (const f of ["eventID", "eventTime", "eventSource", "eventName", "awsRegion", "recipientAccountId"] as const) {
    if (typeof r[f] !== "string" || r[f].length === 0) throw new Error(`${where}.${f} must be a non-empty string`);
  }
  if (typeof r.userIdentity !== "object" || r.userIdentity === null) throw new Error(`${where}.userIdentity must be an object`);
  const ms = Date.parse(r.eventTime as string);
  if (Number.isNaN(ms)) throw new Error(`${where}.eventTime is not an ISO-8601 time: ${String(r.eventTime).slice(0, 40)}`);
  if (ms < now - RETENTION_MS) throw new Error(`${where}.eventTime is older than the 90 days CloudTrail keeps`);
  if (ms > now + 5 * 60_000) throw new Error(`${where}.eventTime is in the future`);
  return r as CloudTrailRecord;
}
